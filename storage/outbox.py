"""The delivery outbox: rows committed with the change that caused them, claimed by a worker with a lease."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, func, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage
from storage.models.delivery import FAILED, PENDING, SENT
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
    values: dict[str, object] = {
        "kind": kind,
        "platform": platform,
        "payload": payload,
        "person_id": person_id,
        "channel": channel,
        "dedupe_key": dedupe_key,
        "status": PENDING,
        "attempts": 0,
    }
    if not_before is not None:
        values["next_attempt_at"] = not_before
    row = OutboxMessage.model_validate(values)
    return await insert_ignore(session, OutboxMessage, row.model_dump(exclude={"id"}))


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta, platforms: tuple[str, ...]
) -> list[OutboxMessage]:
    """Lease up to `limit` due rows so that another worker (or replica) leaves them alone until the lease ends."""
    candidates = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == PENDING,
            col(OutboxMessage.platform).in_(platforms),
            col(OutboxMessage.next_attempt_at) <= now,
            or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) <= now),
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list((await session.exec(candidates)).all())
    if not ids:
        return []
    await session.exec(update(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).values(lease_until=now + lease))
    rows = await session.exec(
        select(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).order_by(col(OutboxMessage.id))
    )
    return list(rows.all())


async def mark_sent(session: AsyncSession, *, message_id: int, now: datetime, ref: str | None) -> None:
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(status=SENT, sent_at=now, lease_until=None, delivered_ref=ref, attempts=OutboxMessage.attempts + 1)
    )


async def mark_retry(session: AsyncSession, *, message_id: int, next_attempt_at: datetime, error: str) -> None:
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(
            next_attempt_at=next_attempt_at,
            lease_until=None,
            last_error=error[:500],
            attempts=OutboxMessage.attempts + 1,
        )
    )


async def mark_failed(session: AsyncSession, *, message_id: int, error: str) -> None:
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(status=FAILED, lease_until=None, last_error=error[:500], attempts=OutboxMessage.attempts + 1)
    )


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    failed: int
    sent: int


async def stats(session: AsyncSession) -> OutboxStats:
    rows = await session.exec(select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status)))
    counts = dict(rows.all())
    return OutboxStats(pending=counts.get(PENDING, 0), failed=counts.get(FAILED, 0), sent=counts.get(SENT, 0))


async def recent_failures(session: AsyncSession, *, limit: int = 10) -> list[OutboxMessage]:
    statement = (
        select(OutboxMessage).where(OutboxMessage.status == FAILED).order_by(col(OutboxMessage.id).desc()).limit(limit)
    )
    return list((await session.exec(statement)).all())
