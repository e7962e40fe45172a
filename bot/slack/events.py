"""Slack's Events API through the inbox: a delivery is stored, then acknowledged, then processed by a worker.

Bolt acknowledges an event before its listener runs, so a crash right after the 200 lost the reaction, the emoji
message or the direct message for good (Slack resends only what was not answered 200). Here the verified delivery
is committed to the inbox (`bot.inbox_intake`, many deliveries per commit) before the answer, over HTTP and Socket
Mode alike; when the commit fails the answer is not a 200 (HTTP 503; no Socket Mode acknowledgement), so Slack sends
it again. The inbox worker (`scheduler.inbox_worker`) then hands over what it claimed, many rows at a time: the
reactions and emoji messages among them are given together in one transaction (`bot.slack.listeners.event_kudos`),
and if that fails each is tried alone, so a bad one fails alone; direct messages and App Home opens are handled one
by one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from bot.batching import Failed, together
from bot.inbox_intake import InboxIntake
from bot.slack.listeners.event_kudos import KudosEvent, emoji_pattern, give_event_kudos, kudos_event
from bot.slack.listeners.home import on_home_opened
from bot.slack.listeners.messages import on_direct_message
from bot.slack.turn import SlackBot
from storage.inbox import Delivery

log = logging.getLogger(__name__)

SLACK = "slack"
# An event handled on its own: (bot, event, its claim, Bravo's user id).
EventHandler = Callable[[SlackBot, dict[str, Any], str, str | None], Awaitable[None]]
# The events Bravo acts on; any other event is acknowledged without being stored (there is nothing to lose).
EVENT_TYPES = frozenset({"message", "reaction_added", "app_home_opened"})
# Direct messages and App Home opens handled at once (each calls Slack after its transaction).
ALONE_CONCURRENCY = 4


def is_event(body: dict[str, Any]) -> bool:
    """An Events API delivery (not a command, an interaction or the URL handshake)."""
    return body.get("type") == "event_callback"


def delivery_for(body: dict[str, Any], emoji: str, raw: bytes | None = None) -> Delivery | None:
    """The inbox row for a delivery Bravo may act on (None for the others), keyed by Slack's event id. `raw`, the
    body as received, is stored as is when given (it is the same JSON: no need to write it again)."""
    event = body.get("event")
    if not isinstance(event, dict) or event.get("type") not in EVENT_TYPES or not _may_matter(event, emoji):
        return None
    text = raw.decode() if raw is not None else json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return Delivery(delivery_id=event_key(body, text), platform=SLACK, body=text)


def event_key(body: dict[str, Any], text: str) -> str:
    """`slack:` and Slack's event id (a digest of the body for a delivery without one)."""
    event_id = body.get("event_id")
    key = str(event_id) if isinstance(event_id, str) and event_id else hashlib.sha256(text.encode()).hexdigest()
    return f"slack:{key}"


def _may_matter(event: dict[str, Any], emoji: str) -> bool:
    """False for what the handlers certainly ignore: a reaction with another emoji, a channel message without the
    kudos emoji (Bravo hears every message of its channels: storing them all would cost a write each)."""
    if event.get("type") == "reaction_added":
        return str(event.get("reaction", "")).split("::", 1)[0] == emoji
    if event.get("type") == "message" and event.get("channel_type") != "im":
        return emoji_pattern(emoji).search(str(event.get("text") or "")) is not None
    return True


async def store_event(intake: InboxIntake, body: dict[str, Any], emoji: str, raw: bytes | None = None) -> bool:
    """Commit the delivery (when Bravo may act on it); False when it could not be, so it must not be acknowledged."""
    delivery = delivery_for(body, emoji, raw)
    if delivery is None:
        return True
    try:
        await intake.accept(delivery)
    except Exception:  # noqa: BLE001 - the database is down or refused: Slack must resend, not lose it
        log.exception(
            "Slack event %s not stored; answering an error so that Slack sends it again", body.get("event_id")
        )
        return False
    return True


class SlackEvents:
    """Processes stored Slack deliveries (the inbox worker's processor for Slack), a claimed batch at a time."""

    def __init__(self, bot: SlackBot) -> None:
        self.bot = bot
        self._bot_user_id: str | None = None
        self._alone = asyncio.Semaphore(ALONE_CONCURRENCY)

    async def process_many(self, bodies: Sequence[str]) -> list[Exception | None]:
        """Each delivery's outcome (None: done; an error: to try again later), kudos events given together."""
        bot_user_id = await self.bot_user_id()
        outcomes: list[Exception | None] = [None] * len(bodies)
        kudos: list[tuple[int, KudosEvent]] = []
        alone: list[tuple[int, Callable[[], Awaitable[None]]]] = []
        for index, stored in enumerate(bodies):
            try:
                body = json.loads(stored)
                event = body.get("event") or {}
                claim = f"slack:event:{event_key(body, stored).removeprefix('slack:')}"
                handler = _alone_handler(event)
                if handler is not None:
                    alone.append((index, partial(handler, self.bot, event, claim, bot_user_id)))
                elif (item := kudos_event(self.bot, event, claim, bot_user_id)) is not None:
                    kudos.append((index, item))
            except Exception as error:  # noqa: BLE001 - this delivery is retried, then parked; the others go on
                outcomes[index] = error
        given, done_alone = await asyncio.gather(
            together(partial(give_event_kudos, self.bot), [item for _, item in kudos]),
            asyncio.gather(*(self._alone_one(job) for _, job in alone)),
        )
        for (index, _), outcome in zip(kudos, given, strict=True):
            outcomes[index] = outcome.error if isinstance(outcome, Failed) else None
        for (index, _), failure in zip(alone, done_alone, strict=True):
            outcomes[index] = failure
        return outcomes

    async def _alone_one(self, job: Callable[[], Awaitable[None]]) -> Exception | None:
        async with self._alone:
            try:
                await job()
            except Exception as error:  # noqa: BLE001 - retried, then parked, alone
                return error
        return None

    async def bot_user_id(self) -> str | None:
        """Bravo's own Slack user (asked once per process with auth.test; an error is retried with the rows)."""
        if self._bot_user_id is None:
            answer = await self.bot.client.auth_test()
            self._bot_user_id = str(answer.get("user_id") or "") or None
        return self._bot_user_id


def _alone_handler(event: dict[str, Any]) -> EventHandler | None:
    """The handler of an event processed on its own: a direct message to Bravo, an App Home open."""
    if event.get("type") == "app_home_opened":
        return on_home_opened
    if event.get("type") == "message" and event.get("channel_type") == "im":
        return on_direct_message
    return None
