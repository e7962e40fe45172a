"""Changing the secret key (rotated, or lost and replaced) never makes anything readable: open pulses can no longer be
answered, and say so kindly; comments sealed under the old key can no longer be replied to; nothing is misdelivered.

`docs/pulses-and-anonymity.md` tells operators to close open pulses before changing the key; these tests are what
happens when they do not.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from handlers.i18n import Translator
from handlers.pulse.expired import NO_LONGER_ANSWERABLE
from tests.anonymity.slack_team import SlackTeam
from tests.anonymity.support import no_leak
from tests.anonymity.taps import MANAGER
from tests.anonymity.test_followup import COMMENT, _reply_button
from tests.bot.slack.test_pulse import button
from tests.fakes.slack_requests import block_actions

NEW_KEY = "the-key-after-rotation-0123456789abcdefghij"


def _rotate(team: SlackTeam) -> None:
    """What restarting Bravo with another `BRAVO_SECRET_KEY` does to every request handled from now on."""
    team.runtime.policy = replace(team.runtime.policy, secret_key=NEW_KEY)


async def test_after_the_key_changes_an_open_pulse_says_it_can_no_longer_be_answered(slack_team: SlackTeam) -> None:
    member = slack_team.users[0]
    _rotate(slack_team)
    calls = len(slack_team.api.calls)
    element = button(slack_team.message(member), "4")
    status, body, _ = await slack_team.bravo.post(slack_team.request(member, element))
    assert status == 200, body
    expected = NO_LONGER_ANSWERABLE.split(":")[0]
    for _ in range(100):
        shown = body + json.dumps([call.args for call in slack_team.api.calls[calls:]], ensure_ascii=False)
        if expected in shown:
            return
        await asyncio.sleep(0.02)
    no_leak([f"a tap under the old key was not refused with {expected!r}"], "after the key changed:")


def test_the_message_exists_in_every_language() -> None:
    assert Translator("fr")(NO_LONGER_ANSWERABLE).startswith("Ce pulse ne peut plus recevoir de réponses :")


async def test_after_the_key_changes_a_comment_can_no_longer_be_replied_to(slack_team: SlackTeam) -> None:
    author = slack_team.users[2]
    await slack_team.tap(author, "4")
    await slack_team.tap(author, "Previous question")
    await slack_team.tap(author, "Add a comment")
    (opened,) = slack_team.api.calls_to("views.open")
    await slack_team.submit_modal(author, opened.args["view"], COMMENT)
    for user in slack_team.users:
        if user != author:
            await slack_team.tap(user, "3")
    await slack_team.cli("pulse", "close")
    results = json.loads(await slack_team.slash(MANAGER[0], "/pulse", "results"))
    reply = _reply_button(results["blocks"])
    _rotate(slack_team)
    calls = len(slack_team.api.calls)
    status, body, _ = await slack_team.bravo.post(
        block_actions(reply["action_id"], reply["value"], user_id=MANAGER[0], channel_id="C_GENERAL", block_id="r")
    )
    assert status == 200, body
    for _ in range(100):
        shown = body + json.dumps([call.args for call in slack_team.api.calls[calls:]], ensure_ascii=False)
        if "can no longer be reached" in shown:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError(f"the manager was not told the author can no longer be reached: {shown[:600]}")
    assert not slack_team.api.calls_to("views.open")[1:], "a reply form opened for a comment sealed with the old key"
