"""The follow-up conversation never names the comment's author, even while Slack keeps failing to deliver the notice.

A member comments anonymously; the pulse closes; the manager reads `/pulse results` and replies through the modal.
Slack then fails every call, so the "a manager replied" notice cannot leave. At every moment from the comment to the
failed deliveries, the database must hold no row naming the author that it did not hold before; and the author's
privacy export (`bravo privacy export`) must never hold their tokens, their comment, its id, or the reply.
"""

from __future__ import annotations

import json
from typing import Any

from tests.anonymity.slack_team import SlackTeam
from tests.anonymity.support import Reader, Snapshot, diff, naming, no_leak, token_secrets
from tests.anonymity.taps import MANAGER, email_of
from tests.bot.slack.test_pulse import dms
from tests.conftest import both_engines
from tests.fakes.slack_api import ANY_METHOD
from tests.fakes.slack_requests import block_actions

COMMENT = "Standups run far too long for a team of seven"
REPLY = "Thanks, we will keep them to fifteen minutes."


def _reply_button(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """The "Reply" button of the comment in the manager's results."""
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if str(element["action_id"]).startswith("pulse.reply"):
                return dict(element)
    raise AssertionError(f"no reply button in {json.dumps(blocks)[:600]}")


def _author_tokens(team: SlackTeam, author: str) -> set[str]:
    """The tokens in what Slack showed the author (their DM, its updates, their modals)."""
    channel = dms(team.bravo, author)[0][1]["channel"]
    everything = team.received_tokens()
    shown = json.dumps([call.args for call in team.api.calls if call.args.get("channel") in (author, channel)])
    return {token for token in everything if token in shown}


async def _export(team: SlackTeam, user: str) -> str:
    """`bravo privacy export` of a member, as the admin runs it when they ask for their data."""
    return await team.cli("privacy", "export", "--email", email_of(user))


@both_engines
async def test_a_reply_reaches_the_author_through_a_failing_platform_without_naming_them(
    slack_team: SlackTeam,
) -> None:
    author = slack_team.users[2]
    identity = slack_team.identities[author]
    reader = Reader(slack_team.runtime.database)
    exports = {"after the pulse was sent": await _export(slack_team, author)}
    await slack_team.tap(author, "4")
    await slack_team.tap(author, "Previous question")
    untouched = await reader.snapshot()
    await slack_team.tap(author, "Add a comment")
    (opened,) = slack_team.api.calls_to("views.open")
    await slack_team.submit_modal(author, opened.args["view"], COMMENT)
    moments: list[tuple[str, Snapshot, Snapshot]] = [("the author's comment", untouched, await reader.snapshot())]
    for user in slack_team.users:
        if user != author:
            await slack_team.tap(user, "3")
    await slack_team.cli("pulse", "close")
    closed = await reader.snapshot()
    results = json.loads(await slack_team.slash(MANAGER[0], "/pulse", "results"))
    reply = _reply_button(results["blocks"])
    opened_before = len(slack_team.api.calls_to("views.open"))
    status, body, _ = await slack_team.bravo.post(
        block_actions(reply["action_id"], reply["value"], user_id=MANAGER[0], channel_id="C_GENERAL", block_id="r")
    )
    assert status == 200, body
    form = (await slack_team.api.wait_for("views.open", opened_before + 1))[-1].args["view"]
    assert form["callback_id"] == "pulse.reply", form
    await slack_team.submit_modal(MANAGER[0], form, REPLY)
    slack_team.api.fail_next(ANY_METHOD, error="service_unavailable", status=503, times=10_000)
    calls = len(slack_team.api.calls)
    moments.append(("the manager's reply", closed, await reader.snapshot()))
    for attempt in (1, 2):
        await slack_team.bravo.drain()
        moments.append((f"the manager's reply and delivery attempt {attempt}", closed, await reader.snapshot()))
    assert any(call.failed for call in slack_team.api.calls[calls:]), "the notice was never tried"
    exports["after the notice failed"] = await _export(slack_team, author)
    problems = [
        f"written by {what}: {finding}"
        for what, before, after in moments
        for finding in naming(diff(before, after), identity)
    ]
    forbidden = {
        **token_secrets(_author_tokens(slack_team, author)),
        "their comment|": COMMENT,
        "the comment's id|": reply["value"],
        "the manager's reply|": REPLY,
    }
    for moment, export in exports.items():
        held = sorted({label.partition("|")[0] for label, value in forbidden.items() if value in export})
        problems += [f"the author's privacy export {moment} holds {what}" for what in held]
    no_leak(problems, "the author of the comment is named:")
