"""Kudos in conversation: HeyTaco-style emoji messages, reactions, Bravo's DM and the App Home, as Events API
deliveries (`event_callback` JSON), retries included."""

from __future__ import annotations

import json

from sqlmodel import select

from storage.models import Kudos, KudosRecipient
from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo
from tests.conftest import both_engines
from tests.fakes.slack_requests import (
    app_home_opened_event,
    event_callback,
    message_event,
    reaction_added_event,
    slash_command,
)


async def deliver(bravo: SlackBravo, event: dict[str, object], *, event_id: str | None = None) -> None:
    status, body, _ = await bravo.post(event_callback(event, event_id=event_id))
    assert status == 200, body


async def stored(bravo: SlackBravo) -> list[tuple[int, int]]:
    """(kudos id, points) per recipient row."""
    async with bravo.runtime.database.sessions() as session:
        rows = (await session.exec(select(KudosRecipient))).all()
    return [(row.kudos_id, row.points) for row in rows]


@both_engines
async def test_a_message_with_the_kudos_emoji_recognises_everyone_mentioned(bravo: SlackBravo) -> None:
    event = message_event("<@U2> <@U3> :clap: :clap::skin-tone-3: great demo today #teamwork", user="U1")
    await deliver(bravo, event, event_id="EvMSG1")
    await bravo.settle()
    (ephemeral,) = bravo.api.calls_to("chat.postEphemeral")
    assert ephemeral.args["user"] == "U1" and ephemeral.args["channel"] == "C1"
    assert "1 point left" in ephemeral.args["text"] + json.dumps(ephemeral.args["blocks"])
    await deliver(bravo, event, event_id="EvMSG1")
    await bravo.settle()
    assert len(bravo.api.calls_to("chat.postEphemeral")) == 1
    assert sorted(points for _, points in await stored(bravo)) == [2, 2]
    (post,) = bravo.posts_to(RECOGNITION_CHANNEL)
    assert "great demo today" in json.dumps(post["blocks"]) and ":clap:" not in json.dumps(post["blocks"])


async def test_a_leading_number_in_a_message_is_part_of_the_reason(bravo: SlackBravo) -> None:
    await deliver(bravo, message_event("<@U2> 3 bugs fixed before lunch :clap:", user="U1"))
    await bravo.settle()
    async with bravo.runtime.database.sessions() as session:
        kudos = (await session.exec(select(Kudos))).one()
    assert kudos.points == 1 and kudos.message == "3 bugs fixed before lunch" and kudos.source == "message"


async def test_ordinary_messages_edits_and_bot_posts_are_ignored(bravo: SlackBravo) -> None:
    await deliver(bravo, message_event("<@U2> thanks for the help", user="U1"))
    await deliver(bravo, message_event(":clap: what a day", user="U1"))
    await deliver(bravo, message_event("<@U2> :clap: deployed", user="U1", subtype="bot_message", bot_id="B9"))
    await deliver(bravo, message_event("<@U2> :clap: edited", user="U1", subtype="message_changed"))
    await deliver(bravo, message_event("<@UBOT> :clap: thanks Bravo", user="U1"))
    await bravo.settle()
    assert await stored(bravo) == []
    assert [call.method for call in bravo.api.calls if call.method != "auth.test"] == []


async def test_an_emoji_message_without_a_reason_is_explained(bravo: SlackBravo) -> None:
    await deliver(bravo, message_event("<@U2> :clap:", user="U1"))
    await bravo.settle()
    (ephemeral,) = bravo.api.calls_to("chat.postEphemeral")
    assert "needs a reason" in ephemeral.args["text"]
    assert await stored(bravo) == []


@both_engines
async def test_removing_and_adding_a_reaction_again_counts_once(bravo: SlackBravo) -> None:
    reaction = reaction_added_event("clap::skin-tone-2", user="U1", item_user="U2", item_ts="1700000000.000200")
    await deliver(bravo, reaction, event_id="EvR1")
    await deliver(bravo, {"type": "reaction_removed", **{k: v for k, v in reaction.items() if k != "type"}})
    await deliver(bravo, reaction, event_id="EvR2")
    await bravo.settle()
    assert len(await stored(bravo)) == 1
    assert len(bravo.api.calls_to("chat.postEphemeral")) == 1
    assert len(bravo.posts_to("U2")) == 1


async def test_reactions_that_are_not_kudos_are_ignored(bravo: SlackBravo) -> None:
    await deliver(bravo, reaction_added_event("tada", user="U1", item_user="U2"))
    await deliver(bravo, reaction_added_event("clap", user="U1", item_user="UBOT"))
    await deliver(bravo, reaction_added_event("clap", user="U1", item_user=None))
    await bravo.settle()
    assert await stored(bravo) == []


async def test_clapping_your_own_message_is_explained(bravo: SlackBravo) -> None:
    await deliver(bravo, reaction_added_event("clap", user="U1", item_user="U1"))
    await bravo.settle()
    (ephemeral,) = bravo.api.calls_to("chat.postEphemeral")
    assert "yourself" in ephemeral.args["text"]
    assert await stored(bravo) == []


async def test_reaction_kudos_fall_back_to_a_dm_when_bravo_cannot_post_in_the_channel(bravo: SlackBravo) -> None:
    bravo.api.fail_next("chat.postEphemeral", "channel_not_found")
    await deliver(bravo, reaction_added_event("clap", user="U1", item_user="U2", channel="CPRIVATE"))
    await bravo.settle()
    (dm,) = bravo.posts_to("U1")
    assert dm["channel"] == "U1" and "You gave 1 point" in dm["text"]


async def test_a_direct_message_to_bravo_reads_as_a_kudos_command(bravo: SlackBravo) -> None:
    await deliver(bravo, message_event("help", user="U1", channel="DU1", channel_type="im"))
    (reply,) = await bravo.api.wait_for("chat.postMessage")
    assert reply.args["channel"] == "DU1" and "/kudos leaderboard" in json.dumps(reply.args["blocks"])


async def test_the_app_home_shows_my_kudos_the_leaderboard_and_the_team_goal(bravo: SlackBravo) -> None:
    await bravo.post(slash_command("/kudos", "<@U1|alice> thanks for the review #kindness", user_id="U2"))
    await deliver(bravo, app_home_opened_event("U1"))
    (publish,) = await bravo.api.wait_for("views.publish")
    view = publish.args["view"]
    text = json.dumps(view)
    assert publish.args["user_id"] == "U1" and view["type"] == "home"
    assert "Your kudos" in text and "thanks for the review" in text and "#kindness" in text
    assert "Leaderboard, this week" in text and "collective reward" in text
    buttons = [element for block in view["blocks"] if block["type"] == "actions" for element in block["elements"]]
    assert buttons[0]["action_id"].startswith("kudos.form")


async def test_the_messages_tab_does_not_publish_a_home(bravo: SlackBravo) -> None:
    await deliver(bravo, app_home_opened_event("U1", tab="messages"))
    assert bravo.api.calls_to("views.publish") == []
