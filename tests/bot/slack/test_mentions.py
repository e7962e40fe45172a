"""Slack markup becomes canonical text: known mentions as tokens, everything else harmless words."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.mentions import defuse, find_slack_mentions, to_canonical
from handlers.mentions import find_mentions

PEOPLE = {"U2": 12, "U3": 13}
TEAMS = {"S1": 7}


def test_mentions_become_tokens_and_the_bot_disappears() -> None:
    text = "<@UBOT> <@U2|bob> <@U3> and <!subteam^S1|@platform> thanks"
    assert to_canonical(text, people=PEOPLE, teams=TEAMS, drop_users=frozenset({"UBOT"})) == (
        "<@12> <@13> and <!team:7> thanks"
    )
    assert find_slack_mentions(text).users == ("UBOT", "U2", "U3")
    assert find_slack_mentions(text).usergroups == {"S1": "platform"}


def test_other_markup_becomes_plain_words() -> None:
    text = (
        "<!channel> <!here|here> <#C1|general> <https://evil.example|https://bank.example> <https://ok.example> "
        "<mailto:a@b.example|a@b.example> <!date^1392734382^{date}|Feb 18th> &lt;tag&gt; &amp; <@U9|zed>"
    )
    assert to_canonical(text, people=PEOPLE) == (
        "@channel @here ＃general https://bank.example (https://evil.example) https://ok.example "
        "a@b.example Feb 18th <tag> & @zed"
    )


def test_typed_tokens_are_defused() -> None:
    assert find_mentions(to_canonical("&lt;@12&gt; &lt;!team:7&gt; hi", people={})).people == ()
    assert find_mentions(defuse("<@12> <!team:7>")) == find_mentions("")


slack_ids = st.sampled_from(["U2", "U3", "U9", "UBOT"])
pieces = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="<>"), max_size=20),
    slack_ids.map(lambda uid: f"<@{uid}>"),
    slack_ids.map(lambda uid: f"<@{uid}|name>"),
    st.just("<!channel>"),
    st.just("<!subteam^S1|@platform>"),
    st.just("<https://x.example|y>"),
    st.just("&lt;@99&gt;"),
)


@given(st.lists(pieces, max_size=12).map("".join))
def test_canonical_text_only_mentions_known_people_and_never_broadcasts(text: str) -> None:
    canonical = to_canonical(text, people=PEOPLE, teams=TEAMS, drop_users=frozenset({"UBOT"}))
    found = find_mentions(canonical)
    assert set(found.people) <= set(PEOPLE.values()) and set(found.teams) <= set(TEAMS.values())
    assert "<!channel>" not in canonical and "<https://" not in canonical
