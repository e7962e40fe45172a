"""Queueing pulse messages: a person's direct messages on each platform they use, not before a given moment."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.delivery import notify_person
from handlers.messages import Card
from storage.models import Person


async def queue_card(
    session: AsyncSession,
    *,
    person: Person,
    card: Card,
    kind: str,
    dedupe_key: str,
    not_before: datetime,
    platforms: tuple[str, ...] = (),
) -> None:
    """Queue a direct message on each platform the person uses, not before `not_before` (their local pulse time)."""
    await notify_person(
        session, person=person, card=card, kind=kind, platforms=platforms, dedupe_key=dedupe_key, not_before=not_before
    )
