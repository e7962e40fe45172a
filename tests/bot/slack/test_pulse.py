"""Pulse checks driven exactly as Slack drives Bravo: `bravo directory import`, `bravo pulse send --now`, DMs on the
local fake Slack, signed `block_actions` taps and modal submissions, then `bravo pulse results --json`."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import update

from bot.cli import build_parser
from handlers.pulse import send_reminders
from storage.models import PulseRound
from storage.models.base import utcnow
from tests.bot.slack.conftest import SlackBravo
from tests.conftest import both_engines
from tests.fakes.slack_requests import block_actions, view_submission
from tests.fakes.slack_workspace import make_user

ENGINEERING = [f"U{n}" for n in range(10, 16)]
SALES = ["U20", "U21"]
ENPS_TEXT = "How likely are you to recommend working here?"


def _csv(tmp_path: Path) -> Path:
    rows = ["email,name,team,manager_email,timezone,language", "lead@acme.example,Lee Lead,,,Europe/Paris,"]
    rows += [f"{uid.lower()}@acme.example,Eng {uid},Engineering,lead@acme.example,Europe/Paris," for uid in ENGINEERING]
    rows += [f"{uid.lower()}@acme.example,Sales {uid},Sales,lead@acme.example,America/New_York,fr" for uid in SALES]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def bravo_cli(bravo: SlackBravo, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a `bravo` subcommand on the test's runtime; returns what it printed."""
    capsys.readouterr()
    args = build_parser().parse_args(list(argv))
    assert await args.func(args, bravo.runtime) == 0
    return capsys.readouterr().out


@pytest.fixture
async def pulsed(bravo: SlackBravo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> SlackBravo:
    """Eight people imported from the directory, known to Slack by email, each sent this week's pulse."""
    for uid in [*ENGINEERING, *SALES, "ULEAD"]:
        email = "lead@acme.example" if uid == "ULEAD" else f"{uid.lower()}@acme.example"
        bravo.api.users[uid] = make_user(uid, uid.lower(), email=email)
    await bravo_cli(bravo, capsys, "directory", "import", str(_csv(tmp_path)))
    output = await bravo_cli(bravo, capsys, "pulse", "send", "--now")
    assert "2 pulses started." in output and "8 messages delivered." in output
    return bravo


def dms(bravo: SlackBravo, user: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(arguments, response) of each chat.postMessage to a user, oldest first."""
    return [
        (call.args, call.response or {})
        for call in bravo.api.calls_to("chat.postMessage")
        if call.args.get("channel") == user
    ]


def current(bravo: SlackBravo, user: str, which: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """A DM as the person sees it now: as posted, or as Bravo last updated it after a tap."""
    args, response = dms(bravo, user)[which]
    updates = [
        call.args
        for call in bravo.api.calls_to("chat.update")
        if call.args.get("channel") == response["channel"] and call.args.get("ts") == response["ts"]
    ]
    return (updates[-1] if updates else args), response


def button(message: dict[str, Any], answer: str) -> dict[str, Any]:
    """The button whose value ends with `:answer`, or whose label is `answer` (e.g. "Previous question")."""
    for block in message["blocks"]:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if str(element.get("value", "")).endswith(f":{answer}") or element["text"]["text"] == answer:
                return element
    raise AssertionError(f"no button {answer!r} in {json.dumps(message['blocks'])[:800]}")


async def tap(bravo: SlackBravo, user: str, answer: str, which: int = 0) -> None:
    """Press a button of the person's DM as it looks now, exactly as Slack delivers the click."""
    args, response = current(bravo, user, which)
    element = button(args, answer)
    posted = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": args["text"], "ts": response["ts"]}
    before = len(bravo.api.calls_to("chat.update")) + len(bravo.api.calls_to("views.open"))
    status, body, _ = await bravo.post(
        block_actions(
            element["action_id"],
            element["value"],
            user_id=user,
            channel_id=response["channel"],
            message=posted,
            block_id="pulse",
        )
    )
    assert status == 200, body
    for _ in range(100):
        if len(bravo.api.calls_to("chat.update")) + len(bravo.api.calls_to("views.open")) > before:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("Bravo neither updated the message nor opened a modal")


async def results(bravo: SlackBravo, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    """The results once every round has closed: an open round shows only how many have answered."""
    await bravo_cli(bravo, capsys, "pulse", "close")
    document = json.loads(await bravo_cli(bravo, capsys, "pulse", "results", "--json"))
    return {team["team"]: team for team in document["teams"]}


@both_engines
async def test_acceptance_six_taps_give_the_hand_computed_enps_and_the_team_of_two_stays_hidden(
    pulsed: SlackBravo, capsys: pytest.CaptureFixture[str]
) -> None:
    for user in [*ENGINEERING, *SALES]:
        (message,) = dms(pulsed, user)
        assert ENPS_TEXT in json.dumps(message[0]["blocks"]) or user in SALES
    french = json.dumps(dms(pulsed, SALES[0])[0][0]["blocks"], ensure_ascii=False)
    assert "Pulse : question 1 sur 3" in french and "Quelle est la probabilité" in french
    for user, answer in zip(ENGINEERING, (10, 9, 9, 7, 3, 0), strict=True):
        await tap(pulsed, user, str(answer))
    updates = pulsed.api.calls_to("chat.update")
    assert len(updates) == 6 and all("question 2 of 3" in json.dumps(update.args["blocks"]) for update in updates)
    teams = await results(pulsed, capsys)
    engineering = teams["Engineering"]
    (enps,) = [question for question in engineering["questions"] if question["id"] == "enps"]
    assert (enps["responses"], enps["enps"], engineering["participation"]) == (6, 16.7, 1.0)
    assert enps["average"] == pytest.approx(38 / 6, abs=0.005) and enps["text"] == ENPS_TEXT
    assert teams["Sales"]["hidden"] is True and "participation" not in teams["Sales"]


async def test_a_second_tap_replaces_and_a_tap_after_closing_is_refused(
    pulsed: SlackBravo, capsys: pytest.CaptureFixture[str]
) -> None:
    for user in ENGINEERING:
        await tap(pulsed, user, "9")
    await tap(pulsed, ENGINEERING[0], "Previous question")
    assert "Your answer: 9" in json.dumps(current(pulsed, ENGINEERING[0])[0]["blocks"])
    await tap(pulsed, ENGINEERING[0], "0")
    (enps,) = [q for q in (await results(pulsed, capsys))["Engineering"]["questions"] if q["id"] == "enps"]
    assert enps["responses"] == 6 and enps["distribution"]["0"] == 1 and enps["distribution"]["9"] == 5
    await tap(pulsed, ENGINEERING[1], "Previous question")
    last = current(pulsed, ENGINEERING[1])[0]
    assert "closed" in last["text"] and not any(block["type"] == "actions" for block in last["blocks"])
    (enps,) = [q for q in (await results(pulsed, capsys))["Engineering"]["questions"] if q["id"] == "enps"]
    assert enps["distribution"]["0"] == 1 and enps["distribution"]["9"] == 5


async def test_the_reminder_reaches_only_those_who_have_not_answered(
    pulsed: SlackBravo, capsys: pytest.CaptureFixture[str]
) -> None:
    for user in ENGINEERING[:4]:
        await tap(pulsed, user, "8")
    async with pulsed.runtime.database.transaction() as session:
        await session.exec(update(PulseRound).values(remind_at=utcnow() - timedelta(minutes=1)))
    async with pulsed.runtime.database.transaction() as session:
        reminded = await send_reminders(session, policy=pulsed.runtime.policy, now=utcnow())
    assert reminded == 4
    await pulsed.drain()
    got = {user for user in [*ENGINEERING, *SALES] if len(dms(pulsed, user)) > 1}
    assert got == {*ENGINEERING[4:], *SALES}
    for user in got:
        (reminder,) = [json.dumps(args["blocks"]) for args, _ in dms(pulsed, user)[1:]]
        assert "Reminder: pulse check, question 1 of 3" in reminder or "Rappel : pulse, question 1 sur 3" in reminder
    await tap(pulsed, ENGINEERING[4], "5", which=1)
    assert "question 2 of 3" in json.dumps(current(pulsed, ENGINEERING[4], which=1)[0]["blocks"])


async def test_a_comment_opens_a_modal_and_is_stored_without_a_name(
    pulsed: SlackBravo, capsys: pytest.CaptureFixture[str]
) -> None:
    user = ENGINEERING[0]
    await tap(pulsed, user, "6")
    await tap(pulsed, user, "Previous question")
    await tap(pulsed, user, "Add a comment")
    (opened,) = pulsed.api.calls_to("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "pulse.comment" and view["private_metadata"]
    (block,) = view["blocks"]
    values = {
        block["block_id"]: {block["element"]["action_id"]: {"type": "plain_text_input", "value": "More focus time"}}
    }
    status, _, _ = await pulsed.post(
        view_submission("pulse.comment", values, private_metadata=view["private_metadata"], user_id=user)
    )
    assert status == 200
    for other in ENGINEERING[1:]:
        await tap(pulsed, other, "7")
    (enps,) = [q for q in (await results(pulsed, capsys))["Engineering"]["questions"] if q["id"] == "enps"]
    assert enps["comments"] == ["More focus time"]
