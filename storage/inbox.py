"""The events inbox: deliveries stored before their 200, claimed by workers with a lease, retried, parked, replayed.

A claim is a conditional UPDATE (only rows still pending and unleased change hands), so two workers, or two replicas,
never process the same row at once; on PostgreSQL the candidates are also read `FOR UPDATE SKIP LOCKED`, so workers
do not queue behind each other's rows. A parked row is only ever touched again by a replay: it blocks nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import col, delete, func, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models.base import utcnow
from storage.models.inbox import INBOX_DONE, INBOX_PARKED, INBOX_PENDING, InboxEvent
from storage.upsert import insert_ignore_many


@dataclass(frozen=True)
class Delivery:
    """A verified delivery to store: its platform's id for it (Slack's `event_id`) and its body as received."""

    delivery_id: str
    platform: str
    body: str


async def store_many(session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
    """Store deliveries in one statement; one already stored (a resend) is left as it is."""
    now = utcnow()
    rows = [
        {
            "delivery_id": delivery.delivery_id[:255],
            "platform": delivery.platform,
            "body": delivery.body,
            "status": INBOX_PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "lease_until": None,
            "lease_owner": None,
            "last_error": None,
            "created_at": now,
            "finished_at": None,
        }
        for delivery in deliveries
    ]
    await insert_ignore_many(session, InboxEvent, rows)


def _claimable(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        col(InboxEvent.status) == INBOX_PENDING,
        col(InboxEvent.next_attempt_at) <= now,
        or_(col(InboxEvent.lease_until).is_(None), col(InboxEvent.lease_until) <= now),
    )


async def claim(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    owner: str,
    limit: int = 20,
    ids: Sequence[int] | None = None,
) -> list[InboxEvent]:
    """Lease up to `limit` due rows (or just `ids`, when due) for `owner`; the rows this call won."""
    candidates = select(InboxEvent.id).where(*_claimable(now)).order_by(col(InboxEvent.id)).limit(limit)
    if ids is not None:
        candidates = candidates.where(col(InboxEvent.id).in_(ids))
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    found = list((await session.exec(candidates)).all())
    if not found:
        return []
    until = now + lease
    await session.exec(
        update(InboxEvent)
        .where(col(InboxEvent.id).in_(found), *_claimable(now))
        .values(lease_until=until, lease_owner=owner[:255])
    )
    won = select(InboxEvent).where(
        col(InboxEvent.id).in_(found), col(InboxEvent.lease_owner) == owner[:255], col(InboxEvent.lease_until) == until
    )
    return list((await session.exec(won.order_by(col(InboxEvent.id)))).all())


async def finish(session: AsyncSession, *, row_id: int, now: datetime) -> None:
    await finish_many(session, row_ids=[row_id], now=now)


async def finish_many(session: AsyncSession, *, row_ids: Sequence[int], now: datetime) -> None:
    """Mark rows processed, in one statement (a claimed batch is finished together)."""
    if not row_ids:
        return
    await session.exec(
        update(InboxEvent)
        .where(col(InboxEvent.id).in_(row_ids))
        .values(
            status=INBOX_DONE, finished_at=now, lease_until=None, lease_owner=None, attempts=InboxEvent.attempts + 1
        )
    )


async def fail(session: AsyncSession, *, row_id: int, error: str, retry_at: datetime | None) -> None:
    """Count a failed attempt: due again at `retry_at`, or parked with its error when `retry_at` is None."""
    values: dict[str, object] = {"lease_until": None, "lease_owner": None, "last_error": error[:500]}
    if retry_at is None:
        values["status"] = INBOX_PARKED
    else:
        values["next_attempt_at"] = retry_at
    await session.exec(
        update(InboxEvent).where(col(InboxEvent.id) == row_id).values(attempts=InboxEvent.attempts + 1, **values)
    )


async def release(session: AsyncSession, *, owners: Sequence[str], now: datetime) -> int:
    """End the leases these owners hold (a process that stopped or died): their rows are due again at once."""
    if not owners:
        return 0
    result = await session.exec(
        update(InboxEvent)
        .where(
            col(InboxEvent.status) == INBOX_PENDING,
            col(InboxEvent.lease_owner).in_(owners),
            col(InboxEvent.lease_until) > now,
        )
        .values(lease_until=now, lease_owner=None)
    )
    return int(result.rowcount or 0)


async def lease_holders(session: AsyncSession, *, now: datetime, scope: str) -> list[str]:
    """The owners (starting with `scope`) holding a live lease on a pending row."""
    statement = select(InboxEvent.lease_owner).where(
        col(InboxEvent.status) == INBOX_PENDING,
        col(InboxEvent.lease_until) > now,
        col(InboxEvent.lease_owner).startswith(scope, autoescape=True),
    )
    return sorted({owner for owner in (await session.exec(statement.distinct())).all() if owner})


async def next_due_at(session: AsyncSession, *, now: datetime) -> datetime | None:
    """When a pending row can next be claimed: its retry time, or the end of a lease another worker holds."""
    free = or_(col(InboxEvent.lease_until).is_(None), col(InboxEvent.lease_until) <= now)
    pending = col(InboxEvent.status) == INBOX_PENDING
    retry = (await session.exec(select(func.min(InboxEvent.next_attempt_at)).where(pending, free))).first()
    leased = (
        await session.exec(select(func.min(InboxEvent.lease_until)).where(pending, col(InboxEvent.lease_until) > now))
    ).first()
    found = [moment for moment in (retry, leased) if moment is not None]
    return min(found) if found else None


async def replay(session: AsyncSession, *, now: datetime, ids: Sequence[int] = ()) -> int:
    """Queue parked rows again (those of `ids`, or all of them) with a fresh count of attempts."""
    statement = update(InboxEvent).where(col(InboxEvent.status) == INBOX_PARKED)
    if ids:
        statement = statement.where(col(InboxEvent.id).in_(ids))
    result = await session.exec(statement.values(status=INBOX_PENDING, attempts=0, next_attempt_at=now))
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class InboxStats:
    pending: int
    parked: int
    done: int


async def stats(session: AsyncSession) -> InboxStats:
    rows = await session.exec(select(InboxEvent.status, func.count()).group_by(col(InboxEvent.status)))
    counts = dict(rows.all())
    return InboxStats(
        pending=counts.get(INBOX_PENDING, 0), parked=counts.get(INBOX_PARKED, 0), done=counts.get(INBOX_DONE, 0)
    )


async def parked(session: AsyncSession, *, limit: int = 10) -> list[InboxEvent]:
    """The most recently parked rows, with their errors."""
    statement = select(InboxEvent).where(col(InboxEvent.status) == INBOX_PARKED)
    return list((await session.exec(statement.order_by(col(InboxEvent.id).desc()).limit(limit))).all())


async def forget_finished_before(session: AsyncSession, *, cutoff: datetime) -> int:
    """Delete rows processed before `cutoff` (parked and pending rows stay until they are handled)."""
    result = await session.exec(
        delete(InboxEvent).where(col(InboxEvent.status) == INBOX_DONE, col(InboxEvent.finished_at) < cutoff)
    )
    return int(result.rowcount or 0)
