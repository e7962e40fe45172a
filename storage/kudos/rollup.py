"""The roll-up: adding the days that closed to the kudos summary, and folding in the changes journalled since.

Each step runs in its own short transaction and first takes the summary's lock (on PostgreSQL an exclusive advisory
lock that every change to `kudos_recipient` takes shared in its trigger; on SQLite the write lock every write
transaction already holds), then reads where the summary stands and moves it on by at most a week. So the roll-up is
idempotent and safe on any number of replicas at once: a second one waits, then finds the days already added and
does nothing. A day is added once it is over in the workspace zone; kudos that arrive later for it (a clock behind,
an import) and deletions or updates of counted kudos reach the summary through the triggers' journal instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, String, Table, literal, text, true, union_all
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.kudos import periods
from storage.kudos.summary import KINDS
from storage.models import KudosRecipient, KudosSummary, KudosSummaryChange, KudosSummaryState
from storage.models.kudos_summary import ORG, PERSON, TEAM

# The same number as the triggers of migration 0007 ("bravoks1").
LOCK_KEY = 0x627261766F6B7331
CHANGES_PER_STEP = 5_000
DAYS_BEFORE_VACUUM = 7
DELETES_PER_STATEMENT = 1_000

Key = tuple[str, str, date, int]


@dataclass(frozen=True)
class RollUpStep:
    days: int = 0
    changes: int = 0
    rebuilt: bool = False
    done: bool = True


@dataclass
class RollUpReport:
    """What a roll-up did: days added, journalled changes folded in, whether it started over, transactions used."""

    days: int = 0
    changes: int = 0
    rebuilt: bool = False
    steps: int = 0

    def add(self, step: RollUpStep) -> None:
        self.days += step.days
        self.changes += step.changes
        self.rebuilt = self.rebuilt or step.rebuilt
        self.steps += 1


async def roll_up(database: Database, *, zone: ZoneInfo, now: datetime) -> RollUpReport:
    """Bring the summary up to the start of today in `zone`, one short transaction at a time."""
    report = RollUpReport()
    while True:
        async with database.transaction() as session:
            step = await roll_up_step(session, zone=zone, now=now)
        report.add(step)
        if step.done:
            break
    if report.rebuilt or report.days > DAYS_BEFORE_VACUUM:
        await _vacuum(database)
    return report


async def _vacuum(database: Database) -> None:
    """After a catch-up on PostgreSQL: every step added to the same rows again, leaving old versions that rankings
    would read through until autovacuum came by; clear them now and refresh the planner's statistics."""
    if database.dialect != "postgresql":
        return
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM (ANALYZE) kudos_summary"))


async def roll_up_step(session: AsyncSession, *, zone: ZoneInfo, now: datetime) -> RollUpStep:
    """One step: start over if the zone changed, fold in journalled changes, add up to a week of closed days."""
    await _lock(session)
    today = periods.local_day(now, zone)
    state = await _state(session)
    rebuilt = state is None or state.zone != zone.key
    if state is None or rebuilt:
        state = await _start_over(session, state, zone=zone, today=today, now=now)
    changes = await _fold_changes(session, zone=zone, until=state.summarised_until)
    first = state.next_day
    last = _step_end(first, today) if first < today else first
    if last > first:
        await _add_days(session, zone=zone, first=first, last=last)
        state.next_day = last
        state.summarised_until = periods.local_midnight(last, zone)
        state.updated_at = now
        session.add(state)
        await session.flush()
    return RollUpStep(
        days=max(0, (last - first).days),
        changes=changes,
        rebuilt=rebuilt,
        done=last >= today and changes < CHANGES_PER_STEP,
    )


async def _lock(session: AsyncSession) -> None:
    """Wait for changes to counted kudos in flight, and keep new ones waiting until this step commits (PostgreSQL)."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


async def _state(session: AsyncSession) -> KudosSummaryState | None:
    statement = select(KudosSummaryState).where(KudosSummaryState.id == 1).execution_options(populate_existing=True)
    return (await session.exec(statement)).first()


async def _start_over(
    session: AsyncSession, state: KudosSummaryState | None, *, zone: ZoneInfo, today: date, now: datetime
) -> KudosSummaryState:
    """An empty summary in `zone`, starting at the day of the oldest kudos (today when there is none)."""
    await session.exec(delete(KudosSummary))
    await session.exec(delete(KudosSummaryChange))
    oldest = (await session.exec(select(func.min(KudosRecipient.created_at)))).one()
    first = min(today, periods.local_day(oldest, zone)) if oldest is not None else today
    state = state or KudosSummaryState(zone=zone.key, next_day=first, summarised_until=now, updated_at=now)
    state.zone = zone.key
    state.next_day = first
    state.summarised_until = periods.local_midnight(first, zone)
    state.updated_at = now
    session.add(state)
    await session.flush()
    return state


def _table() -> Table:
    table = KudosSummary.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _adding(session: AsyncSession, source: Any | None = None) -> Any:
    """`INSERT … ON CONFLICT DO UPDATE` that adds to a period's existing row instead of replacing it."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    table = _table()
    statement = module.insert(table)
    if source is not None:
        statement = statement.from_select(["kind", "subject", "starts_on", "subject_id", "points", "kudos"], source)
    return statement.on_conflict_do_update(
        index_elements=["kind", "subject", "starts_on", "subject_id"],
        set_={
            "points": table.c.points + statement.excluded.points,
            "kudos": table.c.kudos + statement.excluded.kudos,
        },
    )


def _step_end(first: date, today: date) -> date:
    """The end of a step from `first`: at most a week, and never across a Monday or a month's first day, so that
    every day of the step belongs to the same week, month, quarter (and all time)."""
    week = periods.period_end(periods.WEEK, periods.period_of(periods.WEEK, first))
    month = periods.period_end(periods.MONTH, periods.period_of(periods.MONTH, first))
    assert week is not None and month is not None
    return min(today, week, month)


async def _add_days(session: AsyncSession, *, zone: ZoneInfo, first: date, last: date) -> None:
    """Add the kudos of days `first` to `last` (excluded) to every period they belong to.

    The periods that hold all these days get the totals of one pass over their kudos; the others (days) one pass each.
    """
    end = last - timedelta(days=1)
    for subject, kinds in KINDS.items():
        shared = [kind for kind in kinds if periods.period_of(kind, first) == periods.period_of(kind, end)]
        if shared:
            targets = [(kind, periods.period_of(kind, first)) for kind in shared]
            await session.exec(_adding(session, _totals(subject, targets, first, last, zone)))
        for kind in kinds:
            if kind not in shared:
                for starts_on, begin, stop in periods.periods_between(kind, first, last):
                    await session.exec(_adding(session, _totals(subject, [(kind, starts_on)], begin, stop, zone)))


def _totals(subject: str, targets: list[tuple[str, date]], first: date, last: date, zone: ZoneInfo) -> Any:
    """`(kind, subject, starts_on, subject_id, points, kudos)` rows: the days' totals per subject, once per period."""
    recipient = KudosRecipient
    window = (
        col(recipient.created_at) >= periods.local_midnight(first, zone),
        col(recipient.created_at) < periods.local_midnight(last, zone),
    )
    if subject == PERSON:
        ident: Any = col(recipient.recipient_id)
        totals = core_select(ident.label("id"), func.sum(recipient.points).label("points"), func.count().label("kudos"))
        totals = totals.where(*window).group_by(ident)
    elif subject == TEAM:
        ident = col(recipient.team_id)
        counted = func.count(func.distinct(recipient.kudos_id)).label("kudos")
        totals = core_select(ident.label("id"), func.sum(recipient.points).label("points"), counted)
        totals = totals.where(*window, ident.is_not(None)).group_by(ident)
    else:
        points = func.coalesce(func.sum(recipient.points), 0).label("points")
        totals = core_select(literal(0).label("id"), points, func.count().label("kudos")).where(*window)
    days = totals.subquery()
    choices = [
        core_select(literal(kind, String).label("kind"), literal(starts_on, Date).label("starts_on"))
        for kind, starts_on in targets
    ]
    periods_ = (choices[0] if len(choices) == 1 else union_all(*choices)).subquery()
    return (
        core_select(
            periods_.c.kind, literal(subject, String), periods_.c.starts_on, days.c.id, days.c.points, days.c.kudos
        )
        .select_from(days.join(periods_, true()))
        .where(true())  # SQLite reads `ON CONFLICT` after a join's `ON` only once the SELECT has a WHERE clause
    )


async def _fold_changes(session: AsyncSession, *, zone: ZoneInfo, until: datetime) -> int:
    """Add journalled changes to their periods and remove them from the journal; returns how many were folded."""
    statement = select(KudosSummaryChange).order_by(col(KudosSummaryChange.id)).limit(CHANGES_PER_STEP)
    rows = list((await session.exec(statement)).all())
    totals: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row.created_at >= until:
            continue  # not counted yet: the day's kudos will be read as they are when it is added
        day = periods.local_day(row.created_at, zone)
        subjects: list[tuple[str, int, int]] = [(PERSON, row.recipient_id, row.kudos), (ORG, 0, row.kudos)]
        if row.team_id is not None:
            subjects.append((TEAM, row.team_id, row.team_kudos))
        for subject, ident, kudos in subjects:
            for kind in KINDS[subject]:
                total = totals[(kind, subject, periods.period_of(kind, day), ident)]
                total[0] += row.points
                total[1] += kudos
    if totals:
        values = [
            {"kind": kind, "subject": subject, "starts_on": starts_on, "subject_id": ident, "points": p, "kudos": k}
            for (kind, subject, starts_on, ident), (p, k) in totals.items()
        ]
        await session.exec(_adding(session), params=values)
    ids = [row.id for row in rows if row.id is not None]
    for first in range(0, len(ids), DELETES_PER_STATEMENT):
        chunk = ids[first : first + DELETES_PER_STATEMENT]
        await session.exec(delete(KudosSummaryChange).where(col(KudosSummaryChange.id).in_(chunk)))
    return len(rows)
