"""Queueing notifications: who receives a card on which platform, committed with the change that caused it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Card
from storage import outbox
from storage.models import Person


def person_platforms(person: Person) -> list[str]:
    """Where a person can be reached; someone known to no platform reads the console."""
    platforms = [name for name, known in (("slack", person.slack_id), ("teams", person.teams_id)) if known]
    return platforms or ["console"]


async def notify_person(
    session: AsyncSession, *, person: Person, card: Card, kind: str, dedupe_key: str | None = None
) -> None:
    """Queue a direct message to a person on each platform they use."""
    for platform in person_platforms(person):
        await outbox.enqueue(
            session,
            kind=kind,
            platform=platform,
            person_id=person.id,
            payload=card.model_dump_json(),
            dedupe_key=f"{dedupe_key}:{platform}" if dedupe_key else None,
        )


async def post_to_channel(
    session: AsyncSession, *, platform: str, channel: str, card: Card, kind: str, dedupe_key: str | None = None
) -> None:
    """Queue a post in a channel."""
    await outbox.enqueue(
        session,
        kind=kind,
        platform=platform,
        channel=channel,
        payload=card.model_dump_json(),
        dedupe_key=f"{dedupe_key}:{platform}" if dedupe_key else None,
    )
