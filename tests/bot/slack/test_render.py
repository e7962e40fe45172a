"""Block Kit rendering: escaped user text, real mentions, Slack's limits respected (checked by slack_sdk)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack.forms import form_view, submitted_values
from bot.slack.paging import MESSAGE_TEXT, text_length
from bot.slack.render import (
    VALUE_IN_METADATA,
    action_name,
    button_value,
    card_blocks,
    escape,
    fallback_text,
    home_view,
    message_pages,
    message_payload,
    mrkdwn,
    result_view,
)
from handlers.messages import (
    Card,
    Choice,
    FieldItem,
    Form,
    FormInput,
    FormOption,
    Line,
    PersonRef,
    Section,
    neutralised,
)
from tests.validators.slack_limits import slack_problems

BOB = PersonRef(id=2, name="Bob <Smith>", slack_id="U2")
TEAMS_ONLY = PersonRef(id=3, name="Zoé & co", teams_id="29:z")


def test_user_text_is_escaped_and_mentions_are_real() -> None:
    line = Line.of("<!channel> & <https://evil|bank> ", BOB, " ", TEAMS_ONLY)
    assert mrkdwn(line) == "&lt;!channel&gt; &amp; &lt;https://evil|bank&gt; <@U2> *Zoé &amp; co*"


@given(st.text())
def test_escaped_text_never_contains_slack_markup(text: str) -> None:
    rendered = mrkdwn(Line.of(text))
    assert "<" not in rendered and ">" not in rendered
    assert rendered.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == neutralised(text)


def test_cards_render_to_valid_blocks_within_slacks_limits() -> None:
    fields = tuple(FieldItem(label=f"#{index}", value=Line.of(f"{index} points")) for index in range(23))
    card = Card(
        title="T" * 200,
        sections=(Section(text=Line.of("why\nbecause"), quote=True), Section(fields=fields)),
        choices=(Choice(label="Yes", action="a.b", value="1", style="primary"), Choice(label="No", action="a.b")),
        context=(Line.of("small print"),),
        summary="<@U1> summary",
    )
    blocks = card_blocks(card)
    for block in blocks:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
    assert [block["type"] for block in blocks] == [
        "header",
        "section",
        "section",
        "section",
        "section",
        "actions",
        "context",
    ]
    assert blocks[1]["text"]["text"] == ">why\n>because"
    assert [len(block.get("fields", [])) for block in blocks[2:5]] == [10, 10, 3]
    buttons = blocks[5]["elements"]
    assert [button["action_id"] for button in buttons] == ["a.b|0", "a.b|1"]
    assert [action_name(button["action_id"]) for button in buttons] == ["a.b", "a.b"]
    assert fallback_text(card) == "&lt;@U1&gt; summary"


def test_forms_become_modals_and_submissions_come_back_as_neutral_values() -> None:
    form = Form(
        action="kudos.give",
        title="A title longer than Slack allows",
        submit="Send",
        metadata='{"channel": "C1"}',
        inputs=(
            FormInput(name="people", label="Who", kind="people", initial=("7",)),
            FormInput(name="pick", label="Pick", kind="select", options=(FormOption(label="A", value="a"),)),
            FormInput(name="n", label="N", kind="number", initial=("1",), min_value=1, max_value=5),
            FormInput(name="why", label="Why", kind="text", required=False, max_length=500),
        ),
    )
    view = form_view(form, close="Cancel", slack_users={"7": "U7"})
    View(**view).validate_json()
    assert len(view["title"]["text"]) <= 24 and view["private_metadata"] == '{"channel": "C1"}'
    assert view["blocks"][0]["element"]["initial_users"] == ["U7"] and view["blocks"][3]["optional"] is True
    state = {
        "people": {"value": {"type": "multi_users_select", "selected_users": ["U7", "U404"]}},
        "pick": {"value": {"type": "static_select", "selected_option": {"value": "a"}}},
        "n": {"value": {"type": "number_input", "value": "3"}},
        "why": {"value": {"type": "plain_text_input", "value": None}},
    }
    assert submitted_values(state, {"U7": 7}) == {"people": ("7",), "pick": ("a",), "n": ("3",), "why": ()}
    result = result_view(Card(title="Done", sections=(Section(text=Line.of("ok")),)), title="Bravo", close="Close")
    View(**result).validate_json()
    assert result["title"]["text"] == "Done"


def test_escape_is_the_three_characters_mrkdwn_needs() -> None:
    assert escape("a & b < c > d *e*") == "a &amp; b &lt; c &gt; d *e*"


def _line(text: str) -> Line:
    return Line.of(text, BOB, " ", TEAMS_ONLY)


cards = st.builds(
    Card,
    title=st.none() | st.text(max_size=300),
    sections=st.lists(
        st.builds(
            Section,
            text=st.none() | st.text(max_size=4000).map(_line),
            fields=st.lists(
                st.builds(FieldItem, label=st.text(max_size=50), value=st.text(max_size=2500).map(_line)), max_size=23
            ).map(tuple),
            quote=st.booleans(),
        ),
        max_size=4,
    ).map(tuple),
    choices=st.lists(
        st.builds(
            Choice,
            label=st.text(min_size=1, max_size=100),
            action=st.sampled_from(["pulse.answer", "kudos.open"]),
            value=st.text(max_size=50),
            style=st.sampled_from(["default", "primary", "danger"]),
        ),
        max_size=30,
    ).map(tuple),
    context=st.lists(st.text(max_size=2500).map(_line), max_size=12).map(tuple),
)


@given(cards)
def test_every_card_renders_to_blocks_that_slack_sdk_accepts_unchanged(card: Card) -> None:
    for block in card_blocks(card):
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
        assert parsed.to_dict() == block


many_sections = st.lists(
    st.builds(
        Section,
        text=st.none() | st.text(min_size=1, max_size=3500).map(_line),
        fields=st.lists(
            st.builds(FieldItem, label=st.text(max_size=20), value=st.text(max_size=300).map(_line)), max_size=12
        ).map(tuple),
        quote=st.booleans(),
    ),
    max_size=160,
).map(tuple)


@settings(max_examples=40, deadline=None)
@given(cards, many_sections, st.text(max_size=2600))
def test_any_card_however_long_is_sent_as_messages_and_views_slack_accepts(
    card: Card, sections: tuple[Section, ...], value: str
) -> None:
    card = card.model_copy(
        update={
            "sections": card.sections + sections,
            "choices": (*card.choices, Choice(label="Go", action="a", value=value)),
        }
    )
    for payload in [*message_pages(card), message_payload(card)]:
        assert slack_problems(payload) == [] and text_length(payload["blocks"]) <= MESSAGE_TEXT
    for view in (home_view(card), result_view(card, title="Bravo", close="Close")):
        assert slack_problems({"view": view}) == []


def test_a_message_that_can_only_be_one_is_cut_with_its_buttons_kept() -> None:
    sections = tuple(
        Section(text=Line.of(f"line {index}"), fields=(FieldItem(label="a", value=Line.of("b")),))
        for index in range(120)
    )
    card = Card(
        title="Results",
        sections=sections,
        choices=(Choice(label="Next", action="pulse.next", value="1"),),
        context=(Line.of("small print"),),
    )
    blocks = message_payload(card)["blocks"]
    assert len(blocks) == 50 and blocks[0]["type"] == "header"
    assert [block["type"] for block in blocks[-3:]] == ["context", "actions", "context"]
    assert blocks[-3]["elements"][0]["text"] == "…" and blocks[-2]["elements"][0]["value"] == "1"


def test_a_button_value_longer_than_slack_takes_travels_in_the_views_metadata() -> None:
    value = "x" * 2500
    card = Card(
        sections=(Section(text=Line.of("refused")),), choices=(Choice(label="Retry", action="kudos.form", value=value),)
    )
    view = result_view(card, title="Bravo", close="Close")
    button = view["blocks"][-1]["elements"][0]
    assert button["value"] == VALUE_IN_METADATA and view["private_metadata"] == value
    assert button_value(button["value"], view) == value and button_value("7", view) == "7"
    assert message_payload(card)["blocks"][-1]["elements"][0]["value"] == "x" * 2000
