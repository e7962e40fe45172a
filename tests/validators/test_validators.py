"""The validators themselves: they pass what Slack and Teams accept and catch what they refuse or hide.

The Teams half needs Node (see `tests/validators/node.py`); without it those tests are skipped with the reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack.forms import form_view
from bot.slack.render import home_view, message_payload
from bot.teams.package import PackageOptions, french_localization, manifest
from bot.teams.render import render_card, render_form
from handlers.messages import Card, Choice, Form, FormInput, Line, Section
from tests.validators.node import card_verdict, manifest_verdict, shared
from tests.validators.slack_limits import slack_problems

BOT_ID = "11111111-2222-3333-4444-555555555555"
GOOD = Card(
    title="Kudos!",
    sections=(Section(text=Line.of("Alice recognised Bob")),),
    choices=(Choice(label="Give kudos", action="kudos.form"),),
    context=(Line.of("small print"),),
    summary="Alice recognised Bob",
)


def _section(index: int, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "block_id": f"b{index}", "text": {"type": "mrkdwn", "text": f"line {index}"}, **extra}


def _button(action_id: str, text: str = "Go", value: str = "v") -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text}, "value": value}


def test_a_message_bravo_renders_passes_the_slack_checks() -> None:
    assert slack_problems(message_payload(GOOD)) == []


def test_a_message_past_slacks_limits_gets_every_problem_listed() -> None:
    fields = [{"type": "mrkdwn", "text": "f" * 2001}] + [{"type": "mrkdwn", "text": "f"}] * 10
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}
    buttons = {
        "type": "actions",
        "block_id": "x" * 256,
        "elements": [_button("a" * 256, text="t" * 76, value="v" * 2001), _button("same"), _button("same")],
    }
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
        _section(0, fields=fields),
        _section(0),
        {"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}},
        context,
        buttons,
        {"type": "not_a_block"},
        *(_section(index) for index in range(1, 46)),
    ]
    problems = "\n".join(slack_problems({"text": "  ", "blocks": blocks}))
    for expected in (
        "text: a message needs a non-empty top-level `text` fallback",
        "blocks: 52 blocks, a message holds at most 50",
        "blocks[0].text: 151 characters > 150",
        "blocks[1].fields: 11 fields > 10",
        "blocks[1].fields[0]: 2,001 characters > 2,000",
        "blocks[2].block_id: 'b0' repeats an earlier block's id",
        "blocks[3].text: 3,001 characters > 3,000",
        "blocks[4].elements: 11 elements > 10",
        "blocks[5].block_id: 256 characters > 255",
        "blocks[5].elements[0].action_id: 256 characters > 255",
        "blocks[5].elements[0].text: 76 characters > 75",
        "blocks[5].elements[0].value: 2,001 characters > 2,000",
        "blocks[5].elements[2].action_id: 'same' repeats another element's in the same block",
        "blocks[6]: slack_sdk does not know block type 'not_a_block'",
        "blocks[1]: slack_sdk refused it",
    ):
        assert expected in problems


def test_a_modal_and_a_home_view_bravo_renders_pass_and_oversized_ones_do_not() -> None:
    form = Form(
        action="kudos.give", title="Give kudos", submit="Send", inputs=(FormInput(name="n", label="N", kind="number"),)
    )
    assert slack_problems(form_view(form, close="Cancel")) == []
    assert slack_problems({"view": home_view(GOOD)}) == []
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "A title far longer than Slack allows"},
        "blocks": [
            {
                "type": "input",
                "block_id": "n",
                "label": {"type": "plain_text", "text": "N"},
                "element": {"type": "number_input", "action_id": "value", "is_decimal_allowed": False},
            },
            *(_section(index) for index in range(100)),
        ],
    }
    problems = "\n".join(slack_problems(modal))
    assert "title: 36 characters > 24" in problems
    assert "blocks: 101 blocks, a view holds at most 100" in problems
    assert "submit: a modal with input blocks needs a submit button" in problems
    home = {"type": "home", "blocks": [_section(index) for index in range(101)]}
    assert "blocks: 101 blocks, a view holds at most 100" in "\n".join(slack_problems(home))


def _card(actions: int, **extra: Any) -> dict[str, Any]:
    """A card with `actions` buttons side by side (as Bravo's renderer would never lay out more than 6)."""
    buttons = [{"type": "Action.Submit", "title": str(number), "data": {"n": number}} for number in range(actions)]
    return {**render_card(Card(title="Question")), "actions": buttons, **extra}


def test_the_teams_validator_runs_microsofts_library() -> None:
    assert set(shared().versions) == {"adaptivecards", "@microsoft/app-manifest"}


def test_six_actions_pass_and_a_seventh_fails_with_the_teams_host_configuration() -> None:
    assert card_verdict(_card(6)).ok
    verdict = card_verdict(_card(7))
    assert not verdict.ok
    assert any("TooManyActions" in error for error in verdict.errors)
    assert any("7 actions, Teams shows only the first 6" in error for error in verdict.errors)


def test_an_action_set_in_the_body_is_held_to_the_same_limit() -> None:
    actions = [{"type": "Action.Submit", "title": str(number), "data": {"n": number}} for number in range(7)]
    card = _card(0, body=[{"type": "TextBlock", "text": "Hi"}, {"type": "ActionSet", "actions": actions}])
    verdict = card_verdict(card)
    assert any("card.body[1].actions: 7 actions" in error for error in verdict.errors)


def test_unknown_elements_newer_versions_oversized_cards_and_unlabelled_inputs_fail() -> None:
    unknown = card_verdict(_card(1, body=[{"type": "Bravo.Unknown"}]))
    assert any("UnknownElementType" in error for error in unknown.errors)
    assert any("newer than 1.5" in error for error in card_verdict(_card(1, version="1.6")).errors)
    huge = [{"type": "TextBlock", "text": "x" * 1000, "wrap": True} for _ in range(90)]
    assert any("bytes of JSON" in error for error in card_verdict(_card(1, body=huge)).errors)
    unlabelled = [{"type": "Input.Text", "id": "why", "isRequired": True}]
    errors = card_verdict(_card(1, body=unlabelled)).errors
    assert any("RequiredInputsShouldHaveLabel" in error for error in errors)


def test_a_card_is_measured_as_botbuilder_sends_it_with_non_ascii_characters_escaped() -> None:
    arabic = [{"type": "TextBlock", "text": "ش" * 1000, "wrap": True} for _ in range(15)]
    errors = card_verdict(_card(1, body=arabic)).errors
    assert any("bytes of JSON" in error for error in errors), "30 KB of UTF-8, but 90 KB as \\u escapes"


def test_a_form_with_a_people_picker_passes_as_teams_fills_its_choices() -> None:
    form = Form(
        action="kudos.give",
        title="Give kudos",
        submit="Send",
        inputs=(FormInput(name="people", label="Who?", kind="people"), FormInput(name="n", label="N", kind="number")),
    )
    verdict = card_verdict(render_form(form, universal=True))
    assert verdict.ok, verdict.errors
    assert any("people picker" in warning for warning in verdict.warnings)


def test_bravos_teams_manifest_and_its_french_texts_match_microsofts_schema() -> None:
    options = PackageOptions(bot_id=BOT_ID, public_url="https://bravo.acme.example")
    verdict = manifest_verdict(manifest(options))
    assert verdict.ok, verdict.errors
    french = manifest_verdict(french_localization(options))
    assert french.ok, french.errors


def test_a_manifest_missing_fields_or_with_a_bad_id_fails() -> None:
    options = PackageOptions(bot_id=BOT_ID)
    broken = {key: value for key, value in manifest(options).items() if key not in ("developer", "icons")}
    verdict = manifest_verdict({**broken, "id": "not-a-guid"})
    assert not verdict.ok
    joined = "\n".join(verdict.errors)
    assert "required property 'developer'" in joined and "required property 'icons'" in joined
    assert "/id must match pattern" in joined


def test_a_manifest_naming_a_schema_the_package_does_not_ship_is_reported_not_fetched() -> None:
    options = PackageOptions(bot_id=BOT_ID)
    unknown = manifest_verdict({**manifest(options), "$schema": "https://example.com/schema.json"})
    assert not unknown.ok and "not a Microsoft Teams schema address" in unknown.errors[0]
    mismatch = manifest_verdict({**manifest(options), "manifestVersion": "1.17"})
    assert not mismatch.ok and "manifestVersion is 1.17" in mismatch.errors[0]


@pytest.mark.parametrize("version", ["1.16", "1.17", "1.22"])
def test_a_manifest_without_schema_is_judged_by_its_manifest_version(version: str) -> None:
    document = {key: value for key, value in manifest(PackageOptions(bot_id=BOT_ID)).items() if key != "$schema"}
    verdict = manifest_verdict({**document, "manifestVersion": version})
    assert verdict.ok, verdict.errors
