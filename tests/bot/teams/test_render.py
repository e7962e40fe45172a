"""Neutral cards and forms rendered as Adaptive Cards: mentions that notify, user text that cannot inject markup."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.teams.activities import parse_submission
from bot.teams.render import (
    ADAPTIVE_CARD,
    FORM_KEY,
    METADATA_KEY,
    MULTI_PREFIX,
    PEOPLE_DATASET,
    PEOPLE_PREFIX,
    RENDERING_KEY,
    escape,
    render_card,
    render_form,
)
from handlers.messages import Card, Choice, FieldItem, Form, FormInput, FormOption, Line, PersonRef, Section

BOB = PersonRef(id=2, name="Bob Jones", teams_id="29:bob")
ANN = PersonRef(id=3, name="Ann Lee")


def _texts(card: dict[str, object]) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body"))
    return found


def test_a_mention_is_an_at_tag_with_its_entity_and_someone_without_teams_is_bold() -> None:
    card = Card(title="Kudos!", sections=(Section(text=Line.of("Thanks ", BOB, " and ", ANN)),))
    rendered = render_card(card)
    assert rendered["version"] == "1.5" and rendered["type"] == "AdaptiveCard"
    assert "Thanks <at>Bob Jones</at> and **Ann Lee**" in _texts(rendered)
    assert rendered["msteams"]["entities"] == [
        {"type": "mention", "text": "<at>Bob Jones</at>", "mentioned": {"id": "29:bob", "name": "Bob Jones"}}
    ]


def test_user_text_cannot_link_or_mention() -> None:
    hostile = "[click me](https://evil.example) <at>Everyone</at> **loud**"
    rendered = render_card(Card(sections=(Section(text=Line.of(hostile), quote=True),)))
    (text,) = _texts(rendered)
    assert "](" not in text.replace("\\]", "") and "<at>" not in text
    assert "entities" not in rendered["msteams"]
    assert rendered["body"][0]["type"] == "Container"


def test_choices_are_submit_buttons_or_universal_actions_with_a_submit_fallback() -> None:
    card = Card(
        title="How was your week?",
        choices=(
            Choice(label="Great", action="pulse.answer", value="q1:5", style="primary"),
            Choice(label="Meh", action="pulse.answer", value="q1:2"),
        ),
    )
    submit = render_card(card)["actions"]
    assert [action["type"] for action in submit] == ["Action.Submit", "Action.Submit"]
    data = submit[0]["data"]
    assert {key: data[key] for key in ("action", "value")} == {"action": "pulse.answer", "value": "q1:5"}
    assert submit[0]["style"] == "positive"
    universal = render_card(card, universal=True)["actions"][0]
    assert universal["type"] == "Action.Execute" and universal["verb"] == "pulse.answer"
    assert universal["fallback"]["type"] == "Action.Submit" and universal["data"] == universal["fallback"]["data"]


def test_each_rendering_marks_its_buttons_so_a_double_click_is_told_from_a_press_on_the_updated_card() -> None:
    card = Card(title="Question 2", choices=(Choice(label="Previous question", action="pulse.show", value="t@0"),))
    first, again = render_card(card)["actions"][0]["data"], render_card(card)["actions"][0]["data"]
    assert first[RENDERING_KEY] != again[RENDERING_KEY]
    twice = [parse_submission(first, card_id="m1"), parse_submission(first, card_id="m1")]
    later = parse_submission(again, card_id="m1")
    assert twice[0] and twice[1] and later
    assert twice[0].fingerprint(b"k") == twice[1].fingerprint(b"k") != later.fingerprint(b"k")


def test_fields_are_a_fact_set_unless_they_mention_someone() -> None:
    plain = render_card(Card(sections=(Section(fields=(FieldItem(label="Points", value=Line.of("3")),)),)))
    assert plain["body"][0] == {"type": "FactSet", "facts": [{"title": "Points", "value": "3"}]}
    mentioned = render_card(Card(sections=(Section(fields=(FieldItem(label="To", value=Line.of(BOB)),)),)))
    assert _texts(mentioned) == ["**To** <at>Bob Jones</at>"]


def test_forms_become_inputs_with_a_people_picker_and_a_submit_carrying_the_form() -> None:
    form = Form(
        action="kudos.give",
        title="Give kudos",
        submit="Send",
        metadata='{"channel": "19:x"}',
        inputs=(
            FormInput(name="people", label="Who?", kind="people"),
            FormInput(name="points", label="Points", kind="number", initial=("2",), min_value=1, max_value=5),
            FormInput(
                name="values",
                label="Values",
                kind="multiselect",
                options=(FormOption(label="#teamwork", value="teamwork"),),
                required=False,
            ),
            FormInput(name="message", label="Why?", kind="multiline", max_length=500),
        ),
    )
    rendered = render_form(form)
    people, points, values, message = rendered["body"][1:]
    assert people["id"] == PEOPLE_PREFIX + "people" and people["type"] == "Input.ChoiceSet"
    assert people["choices.data"] == {"type": "Data.Query", "dataset": PEOPLE_DATASET} and people["isMultiSelect"]
    assert points["type"] == "Input.Number" and (points["min"], points["max"], points["value"]) == (1, 5, 2)
    assert values["id"] == MULTI_PREFIX + "values" and values["choices"] == [
        {"title": "#teamwork", "value": "teamwork"}
    ]
    assert message["type"] == "Input.Text" and message["isMultiline"] and message["maxLength"] == 500
    (submit,) = rendered["actions"]
    assert submit["type"] == "Action.Submit" and submit["data"] == {
        FORM_KEY: "kudos.give",
        METADATA_KEY: '{"channel": "19:x"}',
    }
    assert ADAPTIVE_CARD == "application/vnd.microsoft.card.adaptive"


@given(st.text())
def test_escaped_text_never_carries_a_link_or_a_mention(text: str) -> None:
    escaped = escape(text)
    assert "<at" not in escaped.lower()
    assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", escaped)
