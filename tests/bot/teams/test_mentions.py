"""Teams mentions become canonical tokens; nothing else can."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.teams.mentions import MentionEntity, defuse, rewrite_mentions
from handlers.mentions import find_mentions

BOT = MentionEntity(text="<at>Bravo</at>", account_id="28:bot", name="Bravo")
BOB = MentionEntity(text="<at>Bob</at>", account_id="29:bob", name="Bob")
ANN = MentionEntity(text="<at>Ann Lee</at>", account_id="29:ann", name="Ann Lee")
IDS = {"29:bob": 7, "29:ann": 8}


def test_the_bot_mention_goes_and_people_become_tokens() -> None:
    text = "<at>Bravo</at> kudos <at>Bob</at> and <at>Ann Lee</at> thanks for the release #teamwork"
    rewritten = rewrite_mentions(text, [BOT, BOB, ANN], person_ids=IDS, bot_id="28:bot")
    assert rewritten == "kudos <@7> and <@8> thanks for the release #teamwork"


def test_typed_tokens_and_unknown_tags_stay_plain_text() -> None:
    text = "kudos &lt;@8&gt; <@9> <at>Team Alpha</at>&nbsp;thanks"
    rewritten = rewrite_mentions(text, [], person_ids=IDS, bot_id="28:bot")
    assert find_mentions(rewritten).people == () and "Team Alpha thanks" in rewritten


def test_two_people_with_the_same_name_keep_their_order() -> None:
    first = MentionEntity(text="<at>Sam</at>", account_id="29:s1", name="Sam")
    second = MentionEntity(text="<at>Sam</at>", account_id="29:s2", name="Sam")
    rewritten = rewrite_mentions(
        "<at>Sam</at> <at>Sam</at>", [first, second], person_ids={"29:s1": 1, "29:s2": 2}, bot_id=None
    )
    assert rewritten == "<@1> <@2>"


def test_a_removed_bot_mention_cannot_splice_a_token() -> None:
    assert find_mentions(rewrite_mentions("<@<at>Bravo</at>12>", [BOT], person_ids={}, bot_id="28:bot")).people == ()


@given(
    st.lists(st.one_of(st.text(max_size=12), st.sampled_from([BOT.text, BOB.text, ANN.text, "<@", ">", "&lt;@5&gt;"])))
)
def test_only_mentioned_people_appear_as_tokens(pieces: list[str]) -> None:
    text = "".join(pieces)
    entities = [
        {BOT.text: BOT, BOB.text: BOB, ANN.text: ANN}[piece]
        for piece in pieces
        if piece in (BOT.text, BOB.text, ANN.text)
    ]
    rewritten = rewrite_mentions(text, entities, person_ids=IDS, bot_id="28:bot")
    expected = [IDS[entity.account_id] for entity in entities if entity.account_id in IDS]
    assert set(find_mentions(rewritten).people) <= set(expected)
    assert find_mentions(rewritten).teams == ()


@given(st.text())
def test_defused_text_has_no_tokens(text: str) -> None:
    assert find_mentions(defuse(text)) == find_mentions("")
