"""Slack's Events API through the inbox: a delivery is stored, then acknowledged, then processed by a worker.

Bolt acknowledges an event before its listener runs, so a crash right after the 200 lost the reaction, the emoji
message or the direct message for good (Slack resends only what was not answered 200). Here the verified delivery
is committed to the inbox (`bot.inbox_intake`, many deliveries per commit) before the answer, over HTTP and Socket
Mode alike; when the commit fails the answer is not a 200 (HTTP 503; no Socket Mode acknowledgement), so Slack sends
it again. The inbox worker (`scheduler.inbox_worker`) then runs it through the event handlers below.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.inbox_intake import InboxIntake
from bot.slack.listeners.home import on_home_opened
from bot.slack.listeners.messages import emoji_pattern, on_message, on_reaction
from bot.slack.turn import SlackBot
from storage.inbox import Delivery

log = logging.getLogger(__name__)

SLACK = "slack"
EventHandler = Callable[[SlackBot, dict[str, Any], dict[str, Any], str | None], Awaitable[None]]
# The events Bravo acts on; any other event is acknowledged without being stored (there is nothing to lose).
HANDLERS: dict[str, EventHandler] = {
    "message": on_message,
    "reaction_added": on_reaction,
    "app_home_opened": on_home_opened,
}


def is_event(body: dict[str, Any]) -> bool:
    """An Events API delivery (not a command, an interaction or the URL handshake)."""
    return body.get("type") == "event_callback"


def delivery_for(body: dict[str, Any], emoji: str) -> Delivery | None:
    """The inbox row for a delivery Bravo may act on (None for the others), keyed by Slack's event id."""
    event = body.get("event")
    if not isinstance(event, dict) or event.get("type") not in HANDLERS or not _may_matter(event, emoji):
        return None
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    event_id = body.get("event_id")
    key = str(event_id) if isinstance(event_id, str) and event_id else hashlib.sha256(text.encode()).hexdigest()
    return Delivery(delivery_id=f"slack:{key}", platform=SLACK, body=text)


def _may_matter(event: dict[str, Any], emoji: str) -> bool:
    """False for what the handlers certainly ignore: a reaction with another emoji, a channel message without the
    kudos emoji (Bravo hears every message of its channels: storing them all would cost a write each)."""
    if event.get("type") == "reaction_added":
        return str(event.get("reaction", "")).split("::", 1)[0] == emoji
    if event.get("type") == "message" and event.get("channel_type") != "im":
        return emoji_pattern(emoji).search(str(event.get("text") or "")) is not None
    return True


async def store_event(intake: InboxIntake, body: dict[str, Any], emoji: str) -> bool:
    """Commit the delivery (when Bravo may act on it); False when it could not be, so it must not be acknowledged."""
    delivery = delivery_for(body, emoji)
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
    """Processes stored Slack deliveries through the event handlers (the inbox worker's processor for Slack)."""

    def __init__(self, bot: SlackBot) -> None:
        self.bot = bot
        self._bot_user_id: str | None = None

    async def process(self, stored: str) -> None:
        body = json.loads(stored)
        event = body.get("event") or {}
        handler = HANDLERS.get(str(event.get("type")))
        if handler is not None:
            await handler(self.bot, event, body, await self.bot_user_id())

    async def bot_user_id(self) -> str | None:
        """Bravo's own Slack user (asked once per process with auth.test; an error is retried with the row)."""
        if self._bot_user_id is None:
            answer = await self.bot.client.auth_test()
            self._bot_user_id = str(answer.get("user_id") or "") or None
        return self._bot_user_id
