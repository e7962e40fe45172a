"""Queueing notifications: who receives a card on which platform, committed with the change that caused it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Card
from storage import outbox
from storage.models import Person


def person_platforms(person: Person, configured: tuple[str, ...] = ()) -> list[str]:
    """Where a person can be reached among the configured platforms; with none configured (the console demo),
    everyone reads the console. Someone on no configured platform cannot be reached: nothing is queued for them."""
    if not configured:
        return ["console"]
    ids = {"slack": person.slack_id, "teams": person.teams_id}
    return [platform for platform in configured if ids.get(platform)]


async def notify_person(
    session: AsyncSession,
    *,
    person: Person,
    card: Card,
    kind: str,
    platforms: tuple[str, ...] = (),
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> None:
    """Queue a direct message to a person on each configured platform they use."""
    for platform in person_platforms(person, platforms):
        await outbox.enqueue(
            session,
            kind=kind,
            platform=platform,
            person_id=person.id,
            payload=card.model_dump_json(),
            dedupe_key=f"{dedupe_key}:{platform}" if dedupe_key else None,
            not_before=not_before,
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
