"""Kudos in the flow of conversation: a message that mentions people with the kudos emoji, or that emoji as a
reaction to someone's message; and direct messages to Bravo, read as `/kudos` commands.

These run from the events inbox (`bot.slack.events`), after the delivery was stored and acknowledged; a delivery may
be processed again (a Slack resend, a worker that died), so every event id is claimed in the same transaction as the
kudos it gives, and a reaction is keyed by message, reactor and emoji so
removing and adding it again counts once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.listeners.common import tell
from bot.slack.mentions import find_slack_mentions
from bot.slack.render import message_pages
from bot.slack.turn import SlackBot, SlackTurn
from handlers.kudos import KudosDraft, KudosOutcome, give_from_text, give_kudos
from handlers.messages import Reply
from handlers.routing import run_command, split_command

log = logging.getLogger(__name__)
PEOPLE_MESSAGES = frozenset({None, "thread_broadcast", "file_share"})


def emoji_pattern(emoji: str) -> re.Pattern[str]:
    """`:clap:`, with or without a skin tone."""
    return re.compile(rf":{re.escape(emoji)}:(?::skin-tone-[2-6]:)?")


async def on_message(bot: SlackBot, event: dict[str, Any], body: dict[str, Any], bot_user_id: str | None) -> None:
    """Messages with the kudos emoji that mention people give kudos; direct messages to Bravo run commands."""
    if event.get("subtype") not in PEOPLE_MESSAGES or event.get("bot_id") or not event.get("user"):
        return
    if event.get("channel_type") == "im":
        await _direct_message(bot, event, body, bot_user_id)
        return
    pattern = emoji_pattern(bot.runtime.policy.kudos_emoji)
    text = str(event.get("text") or "")
    count = len(pattern.findall(text))
    found = find_slack_mentions(text)
    people = [user for user in found.users if user != bot_user_id]
    if not count or not (people or found.usergroups):
        return
    channel = str(event.get("channel", ""))
    key = f"slack:message:{channel}:{event.get('ts')}"

    async def use_case(turn: SlackTurn) -> KudosOutcome:
        canonical = turn.canonical(pattern.sub(" ", text))
        outcome = await give_from_text(turn.ctx, canonical, source="message", points=count, idempotency_key=key)
        return replace(outcome, reply=turn.noted(outcome.reply))

    outcome = await bot.run(
        user_id=str(event["user"]),
        use_case=use_case,
        texts=[text],
        channel=channel,
        event_key=key,
        claim=f"slack:event:{body.get('event_id')}",
        bot_user_id=bot_user_id,
        channel_hint=event.get("channel_type"),
    )
    await _confirm_to_giver(bot.client, outcome, user=str(event["user"]), channel=channel)


async def on_reaction(bot: SlackBot, event: dict[str, Any], body: dict[str, Any], bot_user_id: str | None) -> None:
    """The kudos emoji as a reaction gives its author one point; removing it takes nothing back (no handler)."""
    item = event.get("item") or {}
    reaction = str(event.get("reaction", "")).split("::", 1)[0]
    author = str(event.get("item_user") or "")
    reactor = str(event.get("user") or "")
    if reaction != bot.runtime.policy.kudos_emoji or item.get("type") != "message" or not author:
        return
    if author == bot_user_id:
        return
    channel = str(item.get("channel", ""))
    key = f"slack:reaction:{channel}:{item.get('ts')}:{reactor}:{reaction}"

    async def use_case(turn: SlackTurn) -> KudosOutcome | None:
        author_id = turn.person_id(author)
        if author_id is None:
            return None
        draft = KudosDraft(people=(author_id,), teams=(), points=1, reason="", values=())
        return await give_kudos(turn.ctx, draft, source="reaction", idempotency_key=key)

    outcome = await bot.run(
        user_id=reactor,
        use_case=use_case,
        users=[author],
        channel=channel,
        event_key=key,
        claim=f"slack:event:{body.get('event_id')}",
        bot_user_id=bot_user_id,
    )
    await _confirm_to_giver(bot.client, outcome, user=reactor, channel=channel)


async def _confirm_to_giver(client: AsyncWebClient, outcome: KudosOutcome | None, *, user: str, channel: str) -> None:
    """The answer to the giver (a confirmation or a refusal), shown to them alone; a repeat is not shown twice."""
    if outcome is not None and not outcome.duplicate and outcome.reply.card is not None:
        await tell(client, user=user, channel=channel, card=outcome.reply.card)


async def _direct_message(bot: SlackBot, event: dict[str, Any], body: dict[str, Any], bot_user_id: str | None) -> None:
    """In Bravo's DM, `/pulse …`-style lines run that command and anything else is read as `/kudos …`."""
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
        claim=f"slack:event:{body.get('event_id')}",
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
