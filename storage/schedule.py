"""Claims of scheduled posts, the deliveries they queued, and per-team schedule overrides.

`claim` is the exactly-once primitive: an `INSERT … ON CONFLICT DO NOTHING` on the unique `(kind, period, target)`
key, made in the same transaction that queues the post's deliveries in the outbox. `postpone_deliveries` (the
outbox worker's pacer giving rows back for later) lives here too for now; it belongs with `storage.outbox`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage, ScheduledPost, TeamSchedule
from storage.models.schedule import CLAIMED, QUEUED
from storage.upsert import insert_ignore, insert_ignore_returning

DELIVERY_PLATFORMS = ("slack", "teams", "console")
CHUNK = 500


def claim_key(kind: str, target: str, period: str) -> str:
    """The outbox dedupe prefix of a claim's deliveries: `<kind>:<target>:<period>`."""
    return f"{kind}:{target}:{period}"


async def claim(session: AsyncSession, *, kind: str, target: str, period: str, owner: str, now: datetime) -> bool:
    """True when this call took the post; another process (or an earlier run) holding it makes this False.

    On PostgreSQL a concurrent claim of the same key waits for the first transaction: it gets False if that one
    commits and True if it rolls back, so a post is neither doubled nor lost.
    """
    values = {
        "kind": kind,
        "target": target,
        "period": period,
        "status": CLAIMED,
        "owner": owner[:128],
        "deliveries": 0,
        "claimed_at": now,
    }
    return await insert_ignore(session, ScheduledPost, values)


@dataclass(frozen=True)
class Post:
    """One scheduled post of a batch and what it leads to: `status` and `deliveries` as `finish` records them."""

    kind: str
    target: str
    period: str
    status: str
    deliveries: int
    detail: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return self.kind, self.target, self.period


async def claim_many(
    session: AsyncSession, *, posts: Sequence[Post], owner: str, now: datetime
) -> set[tuple[str, str, str]]:
    """`claim` and `finish` for a whole batch in one statement: the `(kind, target, period)` keys this call took.

    Each claim is written already finished, since the caller queues its deliveries in this same transaction and
    nobody sees the claim before that commits; the keys another run claimed first are left as they are.
    """
    rows = [
        {
            "kind": post.kind,
            "target": post.target,
            "period": post.period,
            "status": post.status,
            "owner": owner[:128],
            "deliveries": post.deliveries,
            "detail": post.detail[:500] if post.detail else None,
            "claimed_at": now,
            "finished_at": now,
        }
        for post in posts
    ]
    taken = await insert_ignore_returning(session, ScheduledPost, rows, returning=("kind", "target", "period"))
    return {(str(kind), str(target), str(period)) for kind, target, period in taken}


async def finish(
    session: AsyncSession,
    *,
    kind: str,
    target: str,
    period: str,
    status: str,
    deliveries: int,
    now: datetime,
    detail: str | None = None,
) -> None:
    """Record what a claim led to (`queued` deliveries, or `skipped` with the reason)."""
    await session.exec(
        update(ScheduledPost)
        .where(
            col(ScheduledPost.kind) == kind, col(ScheduledPost.target) == target, col(ScheduledPost.period) == period
        )
        .values(status=status, deliveries=deliveries, finished_at=now, detail=detail[:500] if detail else None)
    )


async def claimed_targets(session: AsyncSession, *, kind: str, periods: Collection[str]) -> set[tuple[str, str]]:
    """The `(target, period)` pairs of `kind` already claimed, so a tick skips them without trying."""
    found: set[tuple[str, str]] = set()
    wanted = sorted(set(periods))
    for start in range(0, len(wanted), CHUNK):
        statement = select(ScheduledPost.target, ScheduledPost.period).where(
            ScheduledPost.kind == kind, col(ScheduledPost.period).in_(wanted[start : start + CHUNK])
        )
        found.update((target, period) for target, period in (await session.exec(statement)).all())
    return found


async def get_claim(session: AsyncSession, *, kind: str, target: str, period: str) -> ScheduledPost | None:
    statement = select(ScheduledPost).where(
        ScheduledPost.kind == kind, ScheduledPost.target == target, ScheduledPost.period == period
    )
    return (await session.exec(statement)).first()


async def last_claimed_at(session: AsyncSession, *, kind: str, before: datetime) -> datetime | None:
    """When the latest post of `kind` claimed before `before` was claimed (the previous leaderboard, say)."""
    statement = select(func.max(ScheduledPost.claimed_at)).where(
        ScheduledPost.kind == kind, col(ScheduledPost.claimed_at) < before
    )
    return (await session.exec(statement)).one()


async def recent_claims(session: AsyncSession, *, since: datetime, limit: int = 200) -> list[ScheduledPost]:
    statement = (
        select(ScheduledPost)
        .where(col(ScheduledPost.claimed_at) >= since)
        .order_by(col(ScheduledPost.claimed_at).desc(), col(ScheduledPost.id).desc())
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def queued_claims(session: AsyncSession, *, since: datetime, limit: int = 1000) -> list[ScheduledPost]:
    """Claims whose deliveries may still be on their way (the ones `settle` looks at)."""
    statement = (
        select(ScheduledPost)
        .where(ScheduledPost.status == QUEUED, col(ScheduledPost.claimed_at) >= since)
        .order_by(col(ScheduledPost.id))
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def delivery_statuses(session: AsyncSession, *, prefixes: Sequence[str]) -> dict[str, list[str]]:
    """Outbox statuses of each claim's deliveries, found by their exact dedupe keys `<prefix>:<platform>`."""
    keys = {f"{prefix}:{platform}": prefix for prefix in prefixes for platform in DELIVERY_PLATFORMS}
    statuses: dict[str, list[str]] = {prefix: [] for prefix in prefixes}
    wanted = sorted(keys)
    for start in range(0, len(wanted), CHUNK):
        statement = select(OutboxMessage.dedupe_key, OutboxMessage.status).where(
            col(OutboxMessage.dedupe_key).in_(wanted[start : start + CHUNK])
        )
        for key, status in (await session.exec(statement)).all():
            if key is not None:
                statuses[keys[key]].append(status)
    return statuses


async def set_claim_status(session: AsyncSession, *, claim_id: int, status: str, now: datetime) -> None:
    await session.exec(
        update(ScheduledPost).where(col(ScheduledPost.id) == claim_id).values(status=status, finished_at=now)
    )


async def team_schedules(session: AsyncSession) -> dict[int, TeamSchedule]:
    return {row.team_id: row for row in (await session.exec(select(TeamSchedule))).all()}


async def get_team_schedule(session: AsyncSession, *, team_id: int) -> TeamSchedule | None:
    return await session.get(TeamSchedule, team_id)


async def save_team_schedule(session: AsyncSession, row: TeamSchedule) -> None:
    session.add(row)
    await session.flush()


async def postpone_deliveries(session: AsyncSession, *, until: dict[int, datetime]) -> None:
    """Give leased outbox rows back for later without counting an attempt (the pacer had no slot for them).

    One statement for a whole batch: a burst to one channel postpones most of what the worker claimed.
    """
    if until:
        rows = [{"id": row_id, "next_attempt_at": moment, "lease_until": None} for row_id, moment in until.items()]
        await session.exec(update(OutboxMessage), params=rows)


async def latest_claims(session: AsyncSession) -> list[ScheduledPost]:
    """The most recent claim of each kind of scheduled job: what `bravo status` shows as the last runs."""
    newest = select(func.max(ScheduledPost.id)).group_by(col(ScheduledPost.kind))
    statement = select(ScheduledPost).where(col(ScheduledPost.id).in_(newest)).order_by(col(ScheduledPost.kind))
    return list((await session.exec(statement)).all())


async def claim_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Claims by (kind, status), for the metrics."""
    statement = select(ScheduledPost.kind, ScheduledPost.status, func.count()).group_by(
        col(ScheduledPost.kind), col(ScheduledPost.status)
    )
    return {(kind, status): int(total) for kind, status, total in (await session.exec(statement)).all()}
