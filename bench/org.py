"""A synthetic organisation at any scale, loaded in bulk (COPY on PostgreSQL, executemany on SQLite).

At scale 1: 20,000 people in 2,000 teams, 1,000,000 kudos over the last year. Rows are generated from a fixed seed
so every run measures the same data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from storage.db import Database

VALUES = ("teamwork", "ownership", "customer-first", "courage", "kindness")
TIME_ZONES = ("Europe/Paris", "Europe/London", "America/New_York", "America/Montreal", "Asia/Singapore")


@dataclass(frozen=True)
class Scale:
    people: int
    teams: int
    kudos: int
    pulse_answers: int

    @classmethod
    def times(cls, factor: float) -> Scale:
        return cls(
            people=int(20_000 * factor),
            teams=int(2_000 * factor),
            kudos=int(1_000_000 * factor),
            pulse_answers=int(500_000 * factor),
        )


def _teams(scale: Scale, now: datetime) -> Iterator[tuple[Any, ...]]:
    for team in range(1, scale.teams + 1):
        manager = (team - 1) * (scale.people // scale.teams) + 1
        yield (team, f"Team {team:05d}", manager, f"CT{team:05d}", now)


def _people(scale: Scale, now: datetime) -> Iterator[tuple[Any, ...]]:
    per_team = scale.people // scale.teams
    for person in range(1, scale.people + 1):
        team = min(scale.teams, (person - 1) // per_team + 1)
        manager = (team - 1) * per_team + 1
        yield (
            person,
            f"person{person}@bench.test",
            f"Person {person}",
            f"U{person:07d}",
            TIME_ZONES[person % len(TIME_ZONES)],
            "fr" if person % 3 == 0 else "en",
            team,
            None if manager == person else manager,
            False,
            False,
            True,
            now,
            now,
        )


def _kudos(
    scale: Scale, now: datetime, rng: random.Random
) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...] | None]]:
    per_team = scale.people // scale.teams
    year = 365 * 24 * 3600
    for kudos in range(1, scale.kudos + 1):
        giver = rng.randrange(1, scale.people + 1)
        recipient = rng.randrange(1, scale.people + 1)
        if recipient == giver:
            recipient = recipient % scale.people + 1
        points = rng.choice((1, 1, 1, 2, 3))
        created = now - timedelta(seconds=rng.randrange(year))
        team = min(scale.teams, (recipient - 1) // per_team + 1)
        value = (kudos, VALUES[kudos % len(VALUES)]) if kudos % 2 else None
        yield (
            (
                kudos,
                giver,
                points,
                f"Thanks for the help with ticket {kudos}",
                "slash",
                "slack",
                None,
                None,
                f"bench:{kudos}",
                created,
            ),
            (kudos, kudos, recipient, team, points, created),
            value,
        )


PERSON_COLUMNS = (
    "id",
    "email",
    "display_name",
    "slack_id",
    "timezone",
    "language",
    "team_id",
    "manager_id",
    "is_admin",
    "is_bot",
    "active",
    "created_at",
    "updated_at",
)
TEAM_COLUMNS = ("id", "name", "manager_id", "slack_channel", "created_at")
KUDOS_COLUMNS = (
    "id",
    "giver_id",
    "points",
    "message",
    "source",
    "platform",
    "channel",
    "team_recognition_id",
    "idempotency_key",
    "created_at",
)
RECIPIENT_COLUMNS = ("id", "kudos_id", "recipient_id", "team_id", "points", "created_at")
VALUE_COLUMNS = ("kudos_id", "value")


async def load_organisation(database: Database, scale: Scale, *, seed: int = 7, now: datetime | None = None) -> None:
    """Fill an empty, migrated database with the synthetic organisation."""
    moment = now or datetime.now(UTC)
    rng = random.Random(seed)
    kudos_rows, recipient_rows, value_rows = [], [], []
    for kudos, recipient, value in _kudos(scale, moment, rng):
        kudos_rows.append(kudos)
        recipient_rows.append(recipient)
        if value:
            value_rows.append(value)
    tables = [
        ("team", TEAM_COLUMNS, list(_teams(scale, moment))),
        ("person", PERSON_COLUMNS, list(_people(scale, moment))),
        ("kudos", KUDOS_COLUMNS, kudos_rows),
        ("kudos_recipient", RECIPIENT_COLUMNS, recipient_rows),
        ("kudos_value", VALUE_COLUMNS, value_rows),
    ]
    await bulk_insert(database, tables)


async def bulk_insert(database: Database, tables: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]) -> None:
    """Insert many rows per table as fast as each engine allows, then refresh the planner's statistics."""
    async with database.engine.begin() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        for table, columns, rows in tables:
            if database.dialect == "postgresql":
                await driver.copy_records_to_table(table, records=rows, columns=list(columns))
            else:
                placeholders = ", ".join("?" for _ in columns)
                await driver.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)
        if database.dialect == "postgresql":
            for table, _columns, _rows in tables:
                if "id" in _columns:
                    await connection.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                    )
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))
