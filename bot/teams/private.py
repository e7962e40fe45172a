"""Answers that belong to one person, sent to their 1:1 chat with Bravo when they asked in a shared conversation.

In a channel or group chat everyone sees what Bravo answers, and a card updated in place changes for everyone: one
person's pulse questions, or their own view of a rewards vote (their ✓), must not end up there.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.messages import Card, Reply, reply
from storage import outbox


async def answer_privately(ctx: Context, card: Card) -> Reply:
    """Queue `card` for the person's 1:1 chat (once per request); the short notice the shared conversation gets."""
    await outbox.enqueue(
        ctx.session,
        kind="teams_reply",
        platform="teams",
        person_id=ctx.actor.id,
        payload=card.model_dump_json(),
        dedupe_key=f"{ctx.event_key}:reply",
    )
    return reply(ctx.t("I sent you the answer in our private chat."))
