"""The delivery outbox: rows committed with the change that caused them, claimed by a worker with a lease."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy import update as sa_update
from sqlmodel import col, delete, func, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage
from storage.models.base import utcnow
from storage.models.delivery import FAILED, HELD, PENDING, SENT
from storage.upsert import insert_ignore_many


@dataclass(frozen=True)
class NewDelivery:
    """A delivery to queue: to a person (`person_id`, or `sealed_to` when the row must not name them) or to a
    channel, its card serialised in `payload`."""

    kind: str
    platform: str
    payload: str
    person_id: int | None = None
    channel: str | None = None
    dedupe_key: str | None = None
    not_before: datetime | None = None
    sealed_to: str | None = None

    def row(self, now: datetime) -> dict[str, object]:
        """The outbox row as queued at `now` (every row names the same columns, so many go in one statement)."""
        return {
            "kind": self.kind,
            "platform": self.platform,
            "payload": self.payload,
            "person_id": self.person_id,
            "channel": self.channel,
            "sealed_to": self.sealed_to,
            "dedupe_key": self.dedupe_key,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": self.not_before or now,
            "lease_until": None,
            "lease_owner": None,
            "in_doubt": False,
            "last_error": None,
            "delivered_ref": None,
            "created_at": now,
            "sent_at": None,
        }


async def enqueue_many(session: AsyncSession, deliveries: Sequence[NewDelivery]) -> None:
    """Queue many deliveries in one statement; those whose `dedupe_key` is already queued are skipped."""
    now = utcnow()
    await insert_ignore_many(session, OutboxMessage, [delivery.row(now) for delivery in deliveries])


@dataclass(frozen=True)
class Claimed:
    """A leased row, and whether an earlier attempt may already have delivered it.

    `in_doubt` rows had a lease that ran out without the row being marked (the process died between the platform's
    answer and the commit), or an attempt that failed without a clear refusal (a timeout, a server error).
    """

    message: OutboxMessage
    in_doubt: bool


async def claim_batch(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    platforms: tuple[str, ...],
    owner: str | None = None,
) -> list[Claimed]:
    """Lease up to `limit` due rows so that another worker (or replica) leaves them alone until the lease ends."""
    candidates = (
        select(OutboxMessage.id, OutboxMessage.lease_until, OutboxMessage.in_doubt)
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
    found = list((await session.exec(candidates)).all())
    if not found:
        return []
    ids = [row_id for row_id, _lease, _doubt in found]
    expired = [row_id for row_id, lease_until, doubt in found if lease_until is not None and not doubt]
    doubtful = {row_id for row_id, _lease, doubt in found if doubt} | set(expired)
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids))
        .values(lease_until=now + lease, lease_owner=owner[:255] if owner else None)
    )
    if expired:  # remembered, so that a row given back for later is still looked for
        await session.exec(update(OutboxMessage).where(col(OutboxMessage.id).in_(expired)).values(in_doubt=True))
    rows = await session.exec(
        select(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).order_by(col(OutboxMessage.id))
    )
    return [Claimed(row, row.id in doubtful) for row in rows.all()]


async def lease_holders(session: AsyncSession, *, now: datetime, scope: str) -> list[str]:
    """The owners (starting with `scope`) that hold a live lease on a pending row."""
    statement = (
        select(OutboxMessage.lease_owner)
        .where(
            OutboxMessage.status == PENDING,
            col(OutboxMessage.lease_until) > now,
            col(OutboxMessage.lease_owner).startswith(scope, autoescape=True),
        )
        .distinct()
    )
    return [owner for owner in (await session.exec(statement)).all() if owner]


async def release_leases(session: AsyncSession, *, owner: str, now: datetime) -> int:
    """End the leases of a process known to be dead: its rows are due again at once, and in doubt."""
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == PENDING,
            col(OutboxMessage.lease_owner) == owner,
            col(OutboxMessage.lease_until) > now,
        )
        .values(lease_until=now)
    )
    return int(result.rowcount or 0)


async def next_due_at(session: AsyncSession, *, platforms: tuple[str, ...], now: datetime) -> datetime | None:
    """When a pending row can next be claimed: its retry time, or the end of the lease another worker holds on it."""
    pending = (OutboxMessage.status == PENDING, col(OutboxMessage.platform).in_(platforms))
    free = or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) <= now)
    retry = (await session.exec(select(func.min(OutboxMessage.next_attempt_at)).where(*pending, free))).first()
    leased = (
        await session.exec(
            select(func.min(OutboxMessage.lease_until)).where(*pending, col(OutboxMessage.lease_until) > now)
        )
    ).first()
    found = [moment for moment in (retry, leased) if moment is not None]
    return min(found) if found else None


async def mark_sent(session: AsyncSession, marks: Sequence[tuple[int, str | None, datetime]]) -> None:
    """Record deliveries as sent, each `(message id, delivered ref, when)`: one statement run for all of them (a
    statement compiled per row was a sixth of the outbox worker's CPU at a few hundred messages a second)."""
    if not marks:
        return
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    statement = (
        sa_update(table)
        .where(table.c.id == bindparam("sent_id"))
        .values(
            status=SENT,
            sent_at=bindparam("sent_when"),
            lease_until=None,
            lease_owner=None,
            delivered_ref=bindparam("sent_ref"),
            attempts=table.c.attempts + 1,
        )
    )
    connection = await session.connection()
    await connection.execute(statement, [{"sent_id": i, "sent_ref": ref, "sent_when": when} for i, ref, when in marks])


async def forget_delivered(session: AsyncSession, message_ids: Sequence[int]) -> None:
    """Delete delivered rows instead of marking them sent: what a sealed delivery leaves behind (its message's
    channel and timestamp) would name its recipient."""
    if message_ids:
        await session.exec(delete(OutboxMessage).where(col(OutboxMessage.id).in_(message_ids)))


async def mark_retry(
    session: AsyncSession, *, message_id: int, next_attempt_at: datetime, error: str, in_doubt: bool = False
) -> None:
    """Try again later; `in_doubt` when the failed attempt may still have delivered the message."""
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(
            next_attempt_at=next_attempt_at,
            lease_until=None,
            lease_owner=None,
            last_error=error[:500],
            attempts=OutboxMessage.attempts + 1,
            in_doubt=in_doubt,
        )
    )


async def defer(session: AsyncSession, *, message_id: int, until: datetime, error: str) -> None:
    """Give a row in doubt back for later without counting an attempt: the platform could not say yet whether an
    earlier attempt delivered it, and nothing was sent."""
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(next_attempt_at=until, lease_until=None, lease_owner=None, last_error=error[:500], in_doubt=True)
    )


async def mark_failed(session: AsyncSession, *, message_id: int, error: str) -> None:
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(
            status=FAILED,
            lease_until=None,
            lease_owner=None,
            last_error=error[:500],
            attempts=OutboxMessage.attempts + 1,
        )
    )


async def mark_held(session: AsyncSession, *, message_id: int, error: str) -> None:
    """Keep a message the platform refused for Bravo's credentials; no attempt is counted against it."""
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(status=HELD, lease_until=None, lease_owner=None, last_error=error[:500])
    )


async def release_held(
    session: AsyncSession, *, now: datetime, platform: str | None = None, ids: Sequence[int] = ()
) -> int:
    """Held messages (all, or of one platform, or these ids) due again at once; how many."""
    statement = update(OutboxMessage).where(col(OutboxMessage.status) == HELD)
    if platform:
        statement = statement.where(col(OutboxMessage.platform) == platform)
    if ids:
        statement = statement.where(col(OutboxMessage.id).in_(list(ids)))
    result = await session.exec(statement.values(status=PENDING, next_attempt_at=now, lease_until=None))
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    failed: int
    sent: int
    held: int = 0


async def stats(session: AsyncSession) -> OutboxStats:
    rows = await session.exec(select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status)))
    counts = dict(rows.all())
    return OutboxStats(
        pending=counts.get(PENDING, 0), failed=counts.get(FAILED, 0), sent=counts.get(SENT, 0), held=counts.get(HELD, 0)
    )


async def recent_failures(session: AsyncSession, *, limit: int = 10, status: str = FAILED) -> list[OutboxMessage]:
    """The latest messages given up on (or, with `status=HELD`, held), newest first."""
    statement = (
        select(OutboxMessage).where(OutboxMessage.status == status).order_by(col(OutboxMessage.id).desc()).limit(limit)
    )
    return list((await session.exec(statement)).all())
