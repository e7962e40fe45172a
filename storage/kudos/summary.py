"""Reading the kudos summary: a window's totals as summary rows for the closed days plus the kudos since.

A window `[start, end)` is read as three parts in one statement: the summary rows of a period that starts exactly at
`start` (they cover its days before `summarised_until`), the journalled changes to those days, and the kudos from
there to `end`. The boundary is read inside the same statement (one snapshot), so a roll-up committing meanwhile can
neither count a day twice nor miss one. A window no period starts at, or one the summary would overshoot, is read
from the kudos alone, as before. See `storage.kudos.periods` for why periods are local days of the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    case,
    literal,
    or_,
    union_all,
)
from sqlalchemy import select as core_select
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.kudos import periods
from storage.models import KudosRecipient, KudosSummary, KudosSummaryChange, KudosSummaryState
from storage.models.base import UtcDateTime
from storage.models.kudos_summary import ORG as ORG
from storage.models.kudos_summary import PERSON as PERSON
from storage.models.kudos_summary import TEAM as TEAM

# The periods kept for each subject, largest first. People have no weeks (a week of kudos is about one row per person
# anyway); the organisation has days, so a pot starting at any moment needs at most a day of kudos at each end.
KINDS: dict[str, tuple[str, ...]] = {
    PERSON: (periods.ALL, periods.QUARTER, periods.MONTH),
    TEAM: (periods.ALL, periods.QUARTER, periods.MONTH, periods.WEEK),
    ORG: (periods.DAY,),
}
TIMESTAMP = UtcDateTime()
# A SELECT being assembled (SQLModel's and SQLAlchemy's own select types do not mix in unions).
Query = Any


def instant(moment: datetime) -> ColumnElement[Any]:
    """A UTC timestamp as a typed SQL value (SQLite stores the wall-clock text, so never anything but UTC)."""
    return literal(moment, TIMESTAMP)


def boundary() -> ColumnElement[Any]:
    """`summarised_until`, read by the statement that uses it (NULL before the first roll-up)."""
    state = select(KudosSummaryState.summarised_until).where(KudosSummaryState.id == 1)
    return state.scalar_subquery()


async def summary_state(session: AsyncSession) -> KudosSummaryState | None:
    return (await session.exec(select(KudosSummaryState).where(KudosSummaryState.id == 1))).first()


@dataclass(frozen=True)
class Cover:
    """A summary period a window starts with: its rows cover `[start, min(summarised_until, end))`."""

    kind: str
    starts_on: date
    start: datetime
    end: datetime


def cover_for(state: KudosSummaryState | None, subject: str, start: datetime | None, end: datetime) -> Cover | None:
    """The kept period that starts at `start` and covers most of the window, if the summary has one."""
    if state is None:
        return None
    zone = ZoneInfo(state.zone)
    until = state.summarised_until
    best: Cover | None = None
    for kind in KINDS[subject]:
        if kind == periods.ALL:
            if start is not None:
                continue
            cover = Cover(kind, periods.ALL_START, periods.FAR_PAST, periods.FAR_FUTURE)
        else:
            if start is None or (starts_on := periods.starting_at(kind, start, zone)) is None:
                continue
            after = periods.period_end(kind, starts_on)
            assert after is not None
            cover = Cover(kind, starts_on, start, periods.local_midnight(after, zone))
        reach = min(until, cover.end)
        if cover.start < reach <= end and (best is None or reach > min(until, best.end)):
            best = cover
    return best


def _covered(cover: Cover, end: datetime) -> tuple[ColumnElement[Any], ColumnElement[bool]]:
    """Where the summary's part of the window ends, and whether it has one, from the boundary at query time."""
    until = boundary()
    running = and_(until > instant(cover.start), until <= instant(min(cover.end, end)))
    if cover.end <= end:
        whole = until > instant(cover.end)
        reach = case((running, until), (whole, instant(cover.end)), else_=instant(cover.start))
        return reach, or_(running, whole)
    return case((running, until), else_=instant(cover.start)), running


def _window_parts(subject: str, start: datetime | None, end: datetime, cover: Cover | None) -> list[Query]:
    recipient = KudosRecipient
    if subject == PERSON:
        ident: Any = col(recipient.recipient_id)
        counted: Any = func.count()
        change_ident: Any = col(KudosSummaryChange.recipient_id)
        change_kudos: Any = col(KudosSummaryChange.kudos)
    else:
        ident = col(recipient.team_id)
        counted = func.count(func.distinct(recipient.kudos_id))
        change_ident = col(KudosSummaryChange.team_id)
        change_kudos = col(KudosSummaryChange.team_kudos)
    lower: ColumnElement[Any] | None = instant(start) if start is not None else None
    parts: list[Query] = []
    if cover is not None:
        reach, used = _covered(cover, end)
        rows: Query = select(
            col(KudosSummary.subject_id).label("subject_id"),
            col(KudosSummary.points).label("points"),
            col(KudosSummary.kudos).label("kudos"),
        ).where(
            KudosSummary.kind == cover.kind,
            KudosSummary.subject == subject,
            KudosSummary.starts_on == cover.starts_on,
            used,
        )
        changes: Query = (
            select(change_ident, func.sum(KudosSummaryChange.points), func.sum(change_kudos))
            .where(change_ident.is_not(None), col(KudosSummaryChange.created_at) >= instant(cover.start))
            .where(col(KudosSummaryChange.created_at) < reach, used)
            .group_by(change_ident)
        )
        parts += [rows, changes]
        lower = reach
    live = (
        select(ident, func.sum(recipient.points), counted)
        .where(ident.is_not(None), col(recipient.created_at) < instant(end))
        .group_by(ident)
    )
    if lower is not None:
        live = live.where(col(recipient.created_at) >= lower)
    return [*parts, live]


async def window_totals(session: AsyncSession, *, subject: str, start: datetime | None, end: datetime) -> Subquery:
    """Points and kudos per person or team (`subject_id`, `points`, `kudos`) in `[start, end)`, only those with any.

    `start` None means all time. The subquery is meant to be joined to `person` or `team` by the caller.
    """
    cover = cover_for(await summary_state(session), subject, start, end)
    parts = union_all(*_window_parts(subject, start, end, cover)).subquery()
    ident, points, kudos = parts.c
    return (
        select(ident.label("subject_id"), func.sum(points).label("points"), func.sum(kudos).label("kudos"))
        .group_by(ident)
        .having(func.sum(kudos) > 0)
        .subquery()
    )


def leading(totals: Subquery, limit: int | None) -> Subquery:
    """The rows of `window_totals` that can make its top `limit` by points, ties at the cut included, so that only
    those are joined to their names for the ranking (by points, then name)."""
    if limit is None:
        return totals
    place = func.rank().over(order_by=totals.c.points.desc()).label("place")
    ranked = core_select(totals.c.subject_id, totals.c.points, totals.c.kudos, place).subquery()
    return core_select(ranked.c.subject_id, ranked.c.points, ranked.c.kudos).where(ranked.c.place <= limit).subquery()
