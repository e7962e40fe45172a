"""Kudos in the flow of conversation: a message that mentions people with the kudos emoji, or that emoji as a
reaction to someone's message; and direct messages to Bravo, read as `/kudos` commands.

Slack retries an event it thinks went unanswered (`X-Slack-Retry-Num`); Bolt does not deduplicate, so every event id
is claimed in the same transaction as the kudos it gives, and a reaction is keyed by message, reactor and emoji so
removing and adding it again counts once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
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


def register(app: AsyncApp, bot: SlackBot) -> None:
    _register_messages(app, bot)
    _register_reactions(app, bot)


def _register_messages(app: AsyncApp, bot: SlackBot) -> None:
    """Messages with the kudos emoji that mention people give kudos; direct messages to Bravo run commands."""
    pattern = emoji_pattern(bot.runtime.policy.kudos_emoji)

    @app.event("message")
    async def on_message(
        ack: AsyncAck,
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        if event.get("subtype") not in PEOPLE_MESSAGES or event.get("bot_id") or not event.get("user"):
            await ack()
            return
        if event.get("channel_type") == "im":
            await _direct_message(ack, event, body, client, context, bot)
            return
        text = str(event.get("text") or "")
        count = len(pattern.findall(text))
        found = find_slack_mentions(text)
        people = [user for user in found.users if user != context.bot_user_id]
        if not count or not (people or found.usergroups):
            await ack()
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
            bot_user_id=context.bot_user_id,
            channel_hint=event.get("channel_type"),
        )
        await ack()
        await _confirm_to_giver(client, outcome, user=str(event["user"]), channel=channel)


def _register_reactions(app: AsyncApp, bot: SlackBot) -> None:
    """The kudos emoji as a reaction gives its author one point; removing it takes nothing back."""
    emoji = bot.runtime.policy.kudos_emoji

    @app.event("reaction_added")
    async def on_reaction(
        ack: AsyncAck,
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        item = event.get("item") or {}
        reaction = str(event.get("reaction", "")).split("::", 1)[0]
        author = str(event.get("item_user") or "")
        reactor = str(event.get("user") or "")
        if reaction != emoji or item.get("type") != "message" or not author or author == context.bot_user_id:
            await ack()
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
            bot_user_id=context.bot_user_id,
        )
        await ack()
        await _confirm_to_giver(client, outcome, user=reactor, channel=channel)

    @app.event("reaction_removed")
    async def on_reaction_removed(ack: AsyncAck) -> None:
        """A kudos stays given when its reaction is removed: recognition is not taken back."""
        await ack()


async def _confirm_to_giver(client: AsyncWebClient, outcome: KudosOutcome | None, *, user: str, channel: str) -> None:
    """The answer to the giver (a confirmation or a refusal), shown to them alone; a repeat is not shown twice."""
    if outcome is not None and not outcome.duplicate and outcome.reply.card is not None:
        await tell(client, user=user, channel=channel, card=outcome.reply.card)


async def _direct_message(
    ack: AsyncAck,
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    bot: SlackBot,
) -> None:
    """In Bravo's DM, `/pulse …`-style lines run that command and anything else is read as `/kudos …`."""
    text = str(event.get("text") or "").strip()
    channel = str(event.get("channel", ""))
    name, rest = split_command(text)
    if not rest and not name:
        await ack()
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
        bot_user_id=context.bot_user_id,
        channel_hint="im",
    )
    await ack()
    if answer is None or answer.card is None:
        return
    try:
        for payload in message_pages(answer.card):
            await client.chat_postMessage(channel=channel, **payload)
    except SlackApiError as error:
        log.warning("reply in DM %s failed: %s", channel, error.response.get("error"))
