"""Answers longer than Slack takes, as Slack would see them: signed requests into `/slack/events`, what reaches the
local fake Web API judged by slack_sdk's models and Slack's limits (`tests/validators/slack_limits.py`)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlmodel import select

from bot.slack.paging import MESSAGE_TEXT, text_length
from bot.slack.render import result_view
from handlers.kudos import OPEN_FORM_ACTION
from handlers.messages import Card, Choice, Line, Section
from handlers.pulse import send_now
from storage import people as people_store
from storage.models import Kudos
from storage.models.base import utcnow
from tests.bot.slack.conftest import SlackBravo
from tests.bot.slack.test_interactivity import state
from tests.fakes.slack_requests import block_actions, slash_command, view_submission
from tests.handlers.pulse.test_support import seed_org
from tests.validators.catalogue import reason
from tests.validators.slack_limits import slack_problems

LONG_TEAM = "Plateforme données et infrastructure partagée — équipe"


def accepted(payload: dict[str, Any]) -> None:
    """Slack would take this message: its models, its limits and chat.postMessage's total of text."""
    problems = slack_problems(payload)
    assert not problems and text_length(payload.get("blocks") or []) <= MESSAGE_TEXT, problems


async def test_a_refused_form_with_1500_cyrillic_characters_keeps_every_one_for_the_retry(bravo: SlackBravo) -> None:
    bravo.runtime.policy = replace(bravo.runtime.policy, max_message_length=1500)
    message = reason("cyrillic", 1500).strip()
    values = state(people={"selected_users": ["U1", "U2"]}, message={"value": message})  # U1 gives: refused
    status, body, _ = await bravo.post(
        view_submission("kudos.give", values, private_metadata=json.dumps({"channel": "C1"}), user_id="U1")
    )
    assert status == 200, body
    answer = json.loads(body)
    assert answer["response_action"] == "update" and "yourself" in json.dumps(answer["view"], ensure_ascii=False)
    assert slack_problems({"view": answer["view"]}) == []
    view = {**answer["view"], "id": "V100"}
    (button,) = [element for block in view["blocks"] if block["type"] == "actions" for element in block["elements"]]
    status, _, _ = await bravo.post(block_actions(button["action_id"], button["value"], view=view, user_id="U1"))
    assert status == 200
    (update,) = await bravo.api.wait_for("views.update")
    inputs = {block["block_id"]: block["element"] for block in update.args["view"]["blocks"]}
    assert inputs["message"]["initial_value"] == message
    assert inputs["people"]["initial_users"] == ["U1", "U2"] and inputs["points"]["initial_value"] == "2"
    async with bravo.runtime.database.sessions() as session:
        assert (await session.exec(select(Kudos))).all() == []


async def test_a_value_too_long_for_a_button_travels_in_the_modal(bravo: SlackBravo) -> None:
    """Past Slack's 2,000 characters (a retry naming a hundred people), a value rides in `private_metadata`."""
    message = reason("cjk", 1500)
    prefill = json.dumps({"p": list(range(1000, 1150)), "n": 1, "v": []}, separators=(",", ":")) + "\n" + message
    card = Card(
        sections=(Section(text=Line.of("refused")),),
        choices=(Choice(label="Edit and try again", action=OPEN_FORM_ACTION, value=prefill),),
    )
    view = {**result_view(card, title="Bravo", close="Close"), "id": "V100"}
    (button,) = view["blocks"][-1]["elements"]
    assert len(prefill) > 2000 and slack_problems({"view": view}) == []
    status, _, _ = await bravo.post(block_actions(button["action_id"], button["value"], view=view, user_id="U1"))
    assert status == 200
    (update,) = await bravo.api.wait_for("views.update")
    inputs = {block["block_id"]: block["element"] for block in update.args["view"]["blocks"]}
    assert inputs["message"]["initial_value"] == message


async def test_pulse_results_of_a_large_organisation_arrive_as_numbered_messages(bravo: SlackBravo) -> None:
    """An admin's `/pulse results` over 120 teams: the answer, then the rest at the command's `response_url`."""
    teams = {f"{LONG_TEAM} {index:03d}": 1 for index in range(120)}
    async with bravo.runtime.database.transaction() as session:
        members = await seed_org(session, teams)
        for index, person in enumerate(person for people in members.values() for person in people):
            person.slack_id = f"UT{index}"
            await people_store.save(session, person)
        assert len(await send_now(session, policy=bravo.runtime.policy, now=utcnow())) == len(teams)
    bravo.runtime.policy = replace(bravo.runtime.policy, admin_emails=frozenset({"alice@acme.example"}))
    hook = bravo.api.base_url + "response_url"
    status, body, _ = await bravo.post(slash_command("/pulse", "results", user_id="U1", response_url=hook))
    assert status == 200, body
    first = json.loads(body)
    follow_ups = await bravo.api.wait_for("response_url")
    messages = [first, *(call.args for call in follow_ups)]
    assert len(messages) > 1
    for number, message in enumerate(messages, 1):
        accepted(message)
        assert message["response_type"] == "ephemeral"
        assert message["blocks"][0]["text"]["text"].endswith(f"({number}/{len(messages)})")
    shown = json.dumps(messages, ensure_ascii=False)
    assert all(team in shown for team in teams)
