"""One outbox row queued directly, for tests that set up the outbox by hand (the product queues through
`handlers.delivery.queue`)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage
from storage.models.base import utcnow
from storage.outbox import NewDelivery
from storage.upsert import insert_ignore


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    platform: str,
    payload: str,
    person_id: int | None = None,
    channel: str | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue one delivery; with a `dedupe_key`, a second identical request is ignored (False)."""
    delivery = NewDelivery(kind, platform, payload, person_id, channel, dedupe_key, not_before)
    return await insert_ignore(session, OutboxMessage, delivery.row(utcnow()))
