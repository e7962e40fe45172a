"""Answers that belong to one person, sent to their 1:1 chat with Bravo when they asked in a shared conversation.

In a channel or group chat everyone sees what Bravo answers, and a card updated in place changes for everyone: one
person's pulse questions, or their own view of a rewards vote (their ✓), must not end up there.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import Context
from handlers.delivery import person_deliveries, queue
from handlers.messages import Card, Reply, reply
from handlers.pulse import without_ballots
from storage.models import Person

TEAMS_REPLY = "teams_reply"


async def queue_reply(session: AsyncSession, person: Person, card: Card, *, key: str) -> None:
    """A reply that cannot be given in the turn (Teams' pace, an outage, a group chat for a private answer) goes
    through the outbox to the person's chat with Bravo, once per `key`; pulse ballots are stored without their
    tokens (the outbox worker puts them back as it sends the card)."""
    await queue(
        session,
        person_deliveries(
            person=person, card=without_ballots(card), kind=TEAMS_REPLY, platforms=("teams",), dedupe_key=key
        ),
    )


async def answer_privately(ctx: Context, card: Card) -> Reply:
    """Queue `card` for the person's 1:1 chat (once per request); the short notice the shared conversation gets."""
    await queue_reply(ctx.session, ctx.actor, card, key=f"{ctx.event_key}:reply")
    return reply(ctx.t("I sent you the answer in our private chat."))
