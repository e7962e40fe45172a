"""Bravo's own outputs at INFO name nobody who answered or commented: the logs of every tap, the comment, the
manager's reply and its failed deliveries, and `/metrics` read before and after.

The follow-up notice is the one message about a single anonymous person that Bravo sends; while the platform keeps
refusing it, the outbox worker's log lines (retries, failures) must not carry the platform's reason, which can name
the conversation or the person.
"""

from __future__ import annotations

import json
import logging

import pytest

from tests.anonymity.slack_team import SlackTeam
from tests.anonymity.support import no_leak
from tests.anonymity.taps import MANAGER, script
from tests.anonymity.test_followup import COMMENT, REPLY, _reply_button
from tests.fakes.slack_api import ANY_METHOD
from tests.fakes.slack_requests import block_actions


async def _metrics(team: SlackTeam) -> str:
    response = await team.bravo.client.get("/metrics")
    assert response.status == 200
    return await response.text()


def _named(team: SlackTeam, texts: list[tuple[str, str]]) -> list[str]:
    """Which member a text names (their ids, DM channel, name, email or hashes of them), and where it was."""
    found = []
    for user in team.users:
        identity = team.identities[user]
        for where, text in texts:
            for _column, what in identity.named_in([(where, text)]).items():
                found.append(f"{where} names {identity.label} ({what})")
    return found


async def test_info_logs_and_metrics_name_nobody_who_answered_or_commented(
    slack_team: SlackTeam, caplog: pytest.LogCaptureFixture
) -> None:
    author = slack_team.users[2]
    metrics_before = await _metrics(slack_team)
    caplog.set_level(logging.INFO)
    for user, button in script(slack_team.users):
        await slack_team.tap(user, button)
    await slack_team.tap(author, "Add a comment")
    (opened,) = slack_team.api.calls_to("views.open")
    await slack_team.submit_modal(author, opened.args["view"], COMMENT)
    await slack_team.cli("pulse", "close")
    results = json.loads(await slack_team.slash(MANAGER[0], "/pulse", "results"))
    reply = _reply_button(results["blocks"])
    before = len(slack_team.api.calls_to("views.open"))
    await slack_team.bravo.post(
        block_actions(reply["action_id"], reply["value"], user_id=MANAGER[0], channel_id="C_GENERAL", block_id="r")
    )
    form = (await slack_team.api.wait_for("views.open", before + 1))[-1].args["view"]
    await slack_team.submit_modal(MANAGER[0], form, REPLY)
    slack_team.api.fail_next(ANY_METHOD, error="user_not_found", status=200, times=10_000)
    await slack_team.bravo.drain()
    logged = [
        (f"log {record.name}", record.getMessage()) for record in caplog.records if record.levelno >= logging.INFO
    ]
    assert any("pulse.followup" in text for _, text in logged), "the notice was never tried"
    outputs = [*logged, ("/metrics before", metrics_before), ("/metrics after", await _metrics(slack_team))]
    no_leak(_named(slack_team, outputs), "Bravo's outputs at INFO name someone who answered or commented:")
