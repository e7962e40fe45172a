"""Every timestamp column reads back as an aware UTC datetime, on both engines, whatever zone it was written in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlmodel import col, func, select

from storage.db import Database
from storage.models import OutboxMessage, Team, metadata
from storage.models.base import UtcDateTime
from tests.conftest import both_engines

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_every_datetime_column_has_the_utc_type() -> None:
    for table in metadata.sorted_tables:
        for column in table.columns:
            if column.type.python_type is datetime:
                assert isinstance(column.type, UtcDateTime), f"{table.name}.{column.name}"


@both_engines
async def test_an_instant_written_in_any_zone_reads_back_in_utc(database: Database) -> None:
    written = datetime(2026, 7, 1, 9, 30, tzinfo=PARIS_SUMMER)
    async with database.transaction() as session:
        session.add(Team(name="Night shift", created_at=written))
    async with database.sessions() as session:
        team = (await session.exec(select(Team).where(Team.name == "Night shift"))).one()
        assert team.created_at == written
        assert team.created_at.tzinfo is UTC
        assert team.created_at.hour == 7


@both_engines
async def test_aggregates_and_filters_compare_instants_not_wall_clocks(database: Database) -> None:
    base = datetime(2026, 1, 5, 12, tzinfo=UTC)
    async with database.transaction() as session:
        for minutes in (0, 30):
            due_at = base + timedelta(minutes=minutes)
            session.add(OutboxMessage(kind="k", platform="slack", payload="{}", next_attempt_at=due_at))
    async with database.sessions() as session:
        earliest = (await session.exec(select(func.min(OutboxMessage.next_attempt_at)))).one()
        assert earliest == base and earliest.tzinfo is UTC
        later = base.astimezone(PARIS_SUMMER) + timedelta(minutes=10)
        due = (await session.exec(select(OutboxMessage.id).where(col(OutboxMessage.next_attempt_at) > later))).all()
        assert len(due) == 1
