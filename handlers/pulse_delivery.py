"""Queueing pulse messages: a person's direct messages on each platform they use, not before a given moment."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.delivery import person_platforms
from handlers.messages import Card
from storage import outbox
from storage.models import Person


async def queue_card(
    session: AsyncSession, *, person: Person, card: Card, kind: str, dedupe_key: str, not_before: datetime
) -> None:
    """Queue a direct message on each platform the person uses, not before `not_before` (their local pulse time)."""
    for platform in person_platforms(person):
        await outbox.enqueue(
            session,
            kind=kind,
            platform=platform,
            person_id=person.id,
            payload=card.model_dump_json(),
            dedupe_key=f"{dedupe_key}:{platform}",
            not_before=not_before,
        )
