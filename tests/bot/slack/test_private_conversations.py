"""A kudos given in a private channel or a group DM is not re-posted in the public recognition channel; its recipients
still get their message. Requests signed into `/slack/events`; Slack's `conversations.info` answered by the fake."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo
from tests.bot.slack.test_interactivity import state
from tests.fakes.slack_requests import (
    block_actions,
    event_callback,
    message_event,
    reaction_added_event,
    slash_command,
    view_submission,
)

CONVERSATIONS: dict[str, dict[str, Any]] = {
    "CPUBLIC": {"id": "CPUBLIC", "is_channel": True, "is_private": False},
    "CSECRET": {"id": "CSECRET", "is_channel": True, "is_private": True},
    "GMPIM": {"id": "GMPIM", "is_mpim": True, "is_private": True},
    "DU1": {"id": "DU1", "is_im": True},
}


@pytest.fixture
def conversations(bravo: SlackBravo) -> SlackBravo:
    """Slack's view of each conversation; one Bravo is not in is `channel_not_found`, as Slack answers."""

    def info(args: dict[str, Any]) -> dict[str, Any]:
        channel = CONVERSATIONS.get(str(args.get("channel")))
        return {"ok": True, "channel": channel} if channel else {"ok": False, "error": "channel_not_found"}

    bravo.api.workspace.defaults["conversations.info"] = info
    return bravo


async def given_in(bravo: SlackBravo, channel: str, **extra: Any) -> None:
    status, body, _ = await bravo.post(
        slash_command("/kudos", "<@U2|bob> thanks for the review", channel_id=channel, **extra)
    )
    assert status == 200 and "You gave 1 point" in body, body
    await bravo.drain()


@pytest.mark.parametrize("channel", ["CSECRET", "GMPIM", "CHIDDEN"])
async def test_a_kudos_in_a_private_conversation_stays_there(conversations: SlackBravo, channel: str) -> None:
    await given_in(conversations, channel)
    assert len(conversations.posts_to("U2")) == 1
    assert conversations.posts_to(RECOGNITION_CHANNEL) == []


@pytest.mark.parametrize("channel", ["CPUBLIC", "DU1"])
async def test_a_kudos_in_a_public_channel_or_bravos_dm_is_announced(conversations: SlackBravo, channel: str) -> None:
    await given_in(conversations, channel)
    assert len(conversations.posts_to("U2")) == 1 and len(conversations.posts_to(RECOGNITION_CHANNEL)) == 1


async def test_an_emoji_message_in_a_group_dm_and_a_reaction_in_a_private_channel_stay_there(
    conversations: SlackBravo,
) -> None:
    event = message_event("<@U2> :clap: thanks for the demo", user="U1", channel="GMPIM", channel_type="mpim")
    status, _, _ = await conversations.post(event_callback(event))
    assert status == 200
    status, _, _ = await conversations.post(event_callback(reaction_added_event("clap", user="U3", channel="CSECRET")))
    assert status == 200
    await conversations.settle()
    assert len(conversations.api.calls_to("chat.postEphemeral")) == 2
    assert len(conversations.posts_to("U2")) == 2 and conversations.posts_to(RECOGNITION_CHANNEL) == []


async def test_the_form_opened_in_a_private_channel_gives_a_kudos_that_stays_there(conversations: SlackBravo) -> None:
    metadata = json.dumps({"channel": "CSECRET"})
    status, body, _ = await conversations.post(view_submission("kudos.give", state(), private_metadata=metadata))
    assert status == 200 and "2 points each" in body
    await conversations.drain()
    assert len(conversations.posts_to("U2")) == 1 and conversations.posts_to(RECOGNITION_CHANNEL) == []


async def test_when_slack_cannot_say_the_request_decides(bravo: SlackBravo) -> None:
    """Without the scopes to ask (`missing_scope`), a slash command's `channel_name` tells a private channel."""
    bravo.api.workspace.defaults["conversations.info"] = lambda args: {"ok": False, "error": "missing_scope"}
    await given_in(bravo, "CSECRET", channel_name="privategroup")
    assert bravo.posts_to(RECOGNITION_CHANNEL) == []
    await given_in(bravo, "CPUBLIC", channel_name="general")
    assert len(bravo.posts_to(RECOGNITION_CHANNEL)) == 1
    await given_in(bravo, "CSECRET", channel_name="privategroup")
    assert len(bravo.posts_to(RECOGNITION_CHANNEL)) == 1
    assert len(bravo.api.calls_to("conversations.info")) == 2, "Slack is asked once a minute per conversation"


async def test_a_refused_form_tried_again_still_knows_it_was_opened_in_a_private_channel(
    conversations: SlackBravo,
) -> None:
    metadata = json.dumps({"channel": "CSECRET"})
    refused = state(people={"selected_users": ["U1", "U2"]})
    status, body, _ = await conversations.post(view_submission("kudos.give", refused, private_metadata=metadata))
    view = {**json.loads(body)["view"], "id": "V100"}
    (button,) = [element for block in view["blocks"] if block["type"] == "actions" for element in block["elements"]]
    status, _, _ = await conversations.post(block_actions(button["action_id"], button["value"], view=view))
    assert status == 200
    (update,) = await conversations.api.wait_for("views.update")
    again = update.args["view"]["private_metadata"]
    assert json.loads(again) == {"channel": "CSECRET"}
    status, body, _ = await conversations.post(view_submission("kudos.give", state(), private_metadata=again))
    assert status == 200 and "2 points each" in body
    await conversations.drain()
    assert len(conversations.posts_to("U2")) == 1 and conversations.posts_to(RECOGNITION_CHANNEL) == []
