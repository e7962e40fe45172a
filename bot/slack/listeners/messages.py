"""Direct messages to Bravo, read as commands: `/pulse …`-style lines run that command, anything else `/kudos …`.

These run from the events inbox (`bot.slack.events`), after the delivery was stored and acknowledged; a delivery may
be processed again (a Slack resend, a worker that died), so its event id is claimed in the transaction of its work.
Kudos given in channels (emoji messages, reactions) are `bot.slack.listeners.event_kudos`.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.slack.listeners.event_kudos import PEOPLE_MESSAGES
from bot.slack.render import message_pages
from bot.slack.turn import SlackBot, SlackTurn
from handlers.messages import Reply
from handlers.routing import run_command, split_command

log = logging.getLogger(__name__)


async def on_direct_message(bot: SlackBot, event: dict[str, Any], claim: str, bot_user_id: str | None) -> None:
    """In Bravo's DM, `/pulse …`-style lines run that command and anything else is read as `/kudos …`."""
    if event.get("subtype") not in PEOPLE_MESSAGES or event.get("bot_id") or not event.get("user"):
        return
    text = str(event.get("text") or "").strip()
    channel = str(event.get("channel", ""))
    name, rest = split_command(text)
    if not rest and not name:
        return

    async def use_case(turn: SlackTurn) -> Reply:
        return turn.noted(await run_command(turn.ctx, name or "kudos", turn.canonical(rest)))

    answer = await bot.run(
        user_id=str(event["user"]),
        use_case=use_case,
        texts=[text],
        channel=channel,
        event_key=f"slack:dm:{channel}:{event.get('ts')}",
        claim=claim,
        bot_user_id=bot_user_id,
        channel_hint="im",
    )
    if answer is None or answer.card is None:
        return
    try:
        for payload in message_pages(answer.card):
            await bot.client.chat_postMessage(channel=channel, **payload)
    except SlackApiError as error:
        log.warning("reply in DM %s failed: %s", channel, error.response.get("error"))
