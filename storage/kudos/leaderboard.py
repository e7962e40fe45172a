"""Leaderboard queries: teams and people by points received in a window, read from the kudos summary.

The closed days of a week, month, quarter or all time come from the summary (`storage.kudos.summary`), the rest
from the kudos; only the leading totals are joined to `team` or `person`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Subquery
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.kudos import summary as kudos_summary
from storage.models import Person, Team


@dataclass(frozen=True)
class TeamTotal:
    team_id: int
    name: str
    points: int
    kudos: int


@dataclass(frozen=True)
class PersonTotal:
    person: Person
    points: int
    kudos: int


async def team_totals(
    session: AsyncSession, *, start: datetime | None, end: datetime, limit: int | None = None
) -> list[TeamTotal]:
    """Teams by points received in the window, most first (ties by name)."""
    totals = await _leading(session, kudos_summary.TEAM, start, end, limit)
    statement = (
        select(Team.id, Team.name, totals.c.points, totals.c.kudos)
        .join(totals, totals.c.subject_id == col(Team.id))
        .order_by(totals.c.points.desc(), col(Team.name))
        .limit(limit)
    )
    rows = (await session.exec(statement)).all()
    return [TeamTotal(int(tid or 0), name, int(total), int(count)) for tid, name, total, count in rows]


async def person_totals(
    session: AsyncSession, *, start: datetime | None, end: datetime, limit: int | None = None
) -> list[PersonTotal]:
    """People by points received in the window, most first (ties by name)."""
    totals = await _leading(session, kudos_summary.PERSON, start, end, limit)
    statement = (
        select(Person, totals.c.points, totals.c.kudos)
        .join(totals, totals.c.subject_id == col(Person.id))
        .order_by(totals.c.points.desc(), col(Person.display_name))
        .limit(limit)
    )
    rows = (await session.exec(statement)).all()
    return [PersonTotal(person, int(total), int(count)) for person, total, count in rows]


async def _leading(
    session: AsyncSession, subject: str, start: datetime | None, end: datetime, limit: int | None
) -> Subquery:
    """The subject's totals in the window that can make its top `limit` (all of them without a limit)."""
    window = await kudos_summary.window_totals(session, subject=subject, start=start, end=end)
    return kudos_summary.leading(window, limit)
