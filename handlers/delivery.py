"""Queueing notifications: who receives a card on which platform, committed with the change that caused it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Card
from storage import outbox
from storage.models import Person
from storage.outbox import NewDelivery


def person_platforms(person: Person, configured: tuple[str, ...] = ()) -> list[str]:
    """Where a person can be reached among the configured platforms; with none configured (the console demo),
    everyone reads the console. Someone on no configured platform cannot be reached: nothing is queued for them."""
    if not configured:
        return ["console"]
    ids = {"slack": person.slack_id, "teams": person.teams_id}
    return [platform for platform in configured if ids.get(platform)]


def person_deliveries(
    *,
    person: Person,
    card: Card,
    kind: str,
    platforms: tuple[str, ...] = (),
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> list[NewDelivery]:
    """A direct message to a person on each configured platform they use."""
    payload = card.model_dump_json()
    return [
        NewDelivery(
            kind=kind,
            platform=platform,
            payload=payload,
            person_id=person.id,
            dedupe_key=f"{dedupe_key}:{platform}" if dedupe_key else None,
            not_before=not_before,
        )
        for platform in person_platforms(person, platforms)
    ]


def channel_delivery(
    *, platform: str, channel: str, card: Card, kind: str, dedupe_key: str | None = None
) -> NewDelivery:
    """A post in a channel."""
    return NewDelivery(
        kind=kind,
        platform=platform,
        payload=card.model_dump_json(),
        channel=channel,
        dedupe_key=f"{dedupe_key}:{platform}" if dedupe_key else None,
    )


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
    deliveries = person_deliveries(
        person=person, card=card, kind=kind, platforms=platforms, dedupe_key=dedupe_key, not_before=not_before
    )
    await outbox.enqueue_many(session, deliveries)


async def post_to_channel(
    session: AsyncSession, *, platform: str, channel: str, card: Card, kind: str, dedupe_key: str | None = None
) -> None:
    """Queue a post in a channel."""
    delivery = channel_delivery(platform=platform, channel=channel, card=card, kind=kind, dedupe_key=dedupe_key)
    await outbox.enqueue_many(session, [delivery])
