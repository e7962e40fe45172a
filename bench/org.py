"""A synthetic organisation at any scale, loaded in bulk (COPY on PostgreSQL, executemany on SQLite).

At scale 1: 20,000 people in 2,000 teams, 1,000,000 kudos over the last year, 500,000 anonymous pulse answers
(`bench.org_pulse`) and a collective reward round per team. Rows are generated from a fixed seed so every run
measures the same data, and streamed in chunks so that 4× (80,000 people, 4,000,000 kudos) fits in memory.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import text

from storage.db import Database

VALUES = ("teamwork", "ownership", "customer-first", "courage", "kindness")
TIME_ZONES = ("Europe/Paris", "Europe/London", "America/New_York", "America/Montreal", "Asia/Singapore")
CHUNK_ROWS = 200_000
YEAR = timedelta(days=365)

Row = tuple[Any, ...]
Stamp = Callable[[datetime], Any]
Table = tuple[str, tuple[str, ...], Iterable[Row]]


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

    @property
    def per_team(self) -> int:
        return max(1, self.people // self.teams)

    def team_of(self, person: int) -> int:
        return min(self.teams, (person - 1) // self.per_team + 1)

    def members(self, team: int) -> range:
        """Person ids of a team (the last team also takes the remainder)."""
        first = (team - 1) * self.per_team + 1
        last = self.people if team == self.teams else team * self.per_team
        return range(first, last + 1)


def stamper(dialect: str) -> Stamp:
    """How a timestamp is written: PostgreSQL takes aware datetimes; on SQLite, the text SQLAlchemy itself writes
    (naive UTC, microseconds), so the application's comparisons read the bulk rows exactly like its own."""
    if dialect == "postgresql":
        return lambda moment: moment
    return lambda moment: moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _teams(scale: Scale, stamp: Stamp, now: datetime) -> Iterator[Row]:
    created = stamp(now)
    for team in range(1, scale.teams + 1):
        yield (team, f"Team {team:05d}", scale.members(team)[0], f"CT{team:05d}", created)


def _people(scale: Scale, stamp: Stamp, now: datetime) -> Iterator[Row]:
    created = stamp(now)
    for person in range(1, scale.people + 1):
        manager = scale.members(scale.team_of(person))[0]
        yield (
            person,
            f"person{person}@bench.test",
            f"Person {person}",
            f"U{person:07d}",
            TIME_ZONES[person % len(TIME_ZONES)],
            "fr" if person % 3 == 0 else "en",
            scale.team_of(person),
            None if manager == person else manager,
            False,
            False,
            True,
            created,
            created,
        )


def _kudos(scale: Scale, stamp: Stamp, now: datetime, rng: random.Random) -> Iterator[tuple[Row, Row, Row | None]]:
    """Kudos spread evenly over the last year, oldest first (as they would have been inserted)."""
    span = YEAR.total_seconds()
    start = now - YEAR
    for kudos in range(1, scale.kudos + 1):
        giver = rng.randrange(1, scale.people + 1)
        recipient = rng.randrange(1, scale.people + 1)
        if recipient == giver:
            recipient = recipient % scale.people + 1
        points = rng.choice((1, 1, 1, 2, 3))
        created = stamp(start + timedelta(seconds=span * (kudos - rng.random()) / scale.kudos))
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
            (kudos, kudos, recipient, scale.team_of(recipient), points, created),
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
BULK_TABLES = (
    "kudos",
    "kudos_recipient",
    "kudos_value",
    "pulse_participation",
    "pulse_respondent",
    "pulse_answer",
    "pulse_comment",
)
SERIAL_TABLES = ("team", "person", "kudos", "kudos_recipient", "pulse_round", "reward_option", "reward_round")


async def load_organisation(database: Database, scale: Scale, *, seed: int = 7, now: datetime | None = None) -> None:
    """Fill an empty, migrated database with the synthetic organisation."""
    from bench.org_pulse import load_pulses, load_rewards

    moment = now or datetime.now(UTC)
    stamp = stamper(database.dialect)
    rng = random.Random(seed)
    async with indexes_built_after(database, BULK_TABLES):
        await insert_tables(
            database,
            [
                ("team", TEAM_COLUMNS, _teams(scale, stamp, moment)),
                ("person", PERSON_COLUMNS, _people(scale, stamp, moment)),
            ],
        )
        rows = _kudos(scale, stamp, moment, rng)
        while chunk := list(islice(rows, CHUNK_ROWS)):
            await insert_tables(
                database,
                [
                    ("kudos", KUDOS_COLUMNS, [kudos for kudos, _, _ in chunk]),
                    ("kudos_recipient", RECIPIENT_COLUMNS, [recipient for _, recipient, _ in chunk]),
                    ("kudos_value", VALUE_COLUMNS, [value for _, _, value in chunk if value]),
                ],
            )
        if scale.pulse_answers:
            await load_pulses(database, scale, stamp=stamp, now=moment, rng=rng)
        await load_rewards(database, scale, stamp=stamp, now=moment, rng=rng)
    await finish_load(database)


@asynccontextmanager
async def indexes_built_after(database: Database, tables: Sequence[str]) -> AsyncIterator[None]:
    """Drop the plain (non-unique) indexes of `tables` for a bulk load and build them again afterwards, from their
    own definitions: one sort per index instead of a random b-tree insert per row. The schema ends up unchanged."""
    if database.dialect == "postgresql":
        found = text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(:tables) AND indexdef NOT LIKE 'CREATE UNIQUE%'"
        )
        parameters: dict[str, Any] = {"tables": list(tables)}
    else:
        marks = ", ".join(f":t{index}" for index in range(len(tables)))
        found = text(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%'"
        )
        parameters = {f"t{index}": table for index, table in enumerate(tables)}
    async with database.engine.begin() as connection:
        definitions = [(str(name), str(sql)) for name, sql in (await connection.execute(found, parameters)).all()]
        for name, _sql in definitions:
            await connection.execute(text(f'DROP INDEX "{name}"'))
    try:
        yield
    finally:
        async with database.engine.begin() as connection:
            for _name, sql in definitions:
                await connection.execute(text(sql))


async def insert_tables(database: Database, tables: list[Table]) -> None:
    """Insert rows per table in one transaction, `CHUNK_ROWS` at a time, as fast as each engine allows."""
    async with database.engine.begin() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        for table, columns, rows in tables:
            source = iter(rows)
            while chunk := list(islice(source, CHUNK_ROWS)):
                if database.dialect == "postgresql":
                    await driver.copy_records_to_table(table, records=chunk, columns=list(columns))
                else:
                    marks = ", ".join("?" for _ in columns)
                    await driver.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", chunk)


async def finish_load(database: Database) -> None:
    """Move PostgreSQL's sequences past the ids written by hand and refresh its statistics.

    SQLite is left without statistics (`sqlite_stat1`), as Bravo's own databases are: nothing there runs ANALYZE.
    """
    if database.dialect == "postgresql":
        async with database.engine.begin() as connection:
            for table in SERIAL_TABLES:
                await connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                    )
                )
    if database.dialect == "postgresql":
        # What autovacuum does after a bulk load: statistics, and the visibility map index-only scans rely on.
        async with database.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))


async def bulk_insert(database: Database, tables: list[Table]) -> None:
    """Insert whole tables, then refresh sequences and statistics (a small load in one call)."""
    await insert_tables(database, tables)
    await finish_load(database)
