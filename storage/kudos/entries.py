"""Queries on kudos: storing one, the points a giver has used, leaderboards and a person's history.

Every timestamp passed in or stored is UTC: SQLite keeps datetimes without their offset, so mixing zones would
compare wall-clock times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.kudos import summary as kudos_summary
from storage.models import Kudos, KudosRecipient, KudosValue, Person, Team


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; naive values (as SQLite returns them) are UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class NewRecipient:
    person_id: int
    team_id: int | None


async def kudos_by_keys(session: AsyncSession, *, keys: Sequence[str]) -> dict[str, Kudos]:
    """The kudos already stored under these idempotency keys, by key."""
    wanted = list(dict.fromkeys(key[:255] for key in keys))
    if not wanted:
        return {}
    statement = select(Kudos).where(col(Kudos.idempotency_key).in_(wanted))
    return {kudos.idempotency_key: kudos for kudos in (await session.exec(statement)).all() if kudos.idempotency_key}


async def lock_people(session: AsyncSession, *, person_ids: Sequence[int]) -> None:
    """Serialise givers' kudos: PostgreSQL locks their rows; SQLite's BEGIN IMMEDIATE already serialises writers.

    Rows are locked in id order, so two transactions locking overlapping sets of givers cannot deadlock.
    """
    if session.bind is None or session.bind.dialect.name != "postgresql" or not person_ids:
        return
    # FOR NO KEY UPDATE: serialises the giver's kudos without blocking the foreign-key checks (FOR KEY SHARE)
    # of a kudos given to them at the same moment, which FOR UPDATE would turn into a deadlock.
    statement = (
        select(Person.id)
        .where(col(Person.id).in_(sorted(set(person_ids))))
        .order_by(col(Person.id))
        .with_for_update(key_share=True)
    )
    await session.exec(statement)


@dataclass(frozen=True)
class NewKudos:
    """A kudos to store, with its recipients (each receiving `points`) and its values."""

    giver_id: int
    points: int
    message: str
    source: str
    platform: str
    idempotency_key: str
    created_at: datetime
    recipients: Sequence[NewRecipient] = ()
    values: Sequence[str] = ()
    channel: str | None = None
    team_recognition_id: int | None = None

    def row(self) -> dict[str, object]:
        return {
            "giver_id": self.giver_id,
            "points": self.points,
            "message": self.message,
            "source": self.source,
            "platform": self.platform,
            "channel": self.channel,
            "team_recognition_id": self.team_recognition_id,
            "idempotency_key": self.idempotency_key[:255],
            "created_at": as_utc(self.created_at),
        }


async def insert_many(session: AsyncSession, items: Sequence[NewKudos]) -> list[int]:
    """Store many kudos in three statements (kudos, recipients, values); their ids, in order.

    Core inserts rather than ORM objects: the unit of work costs more than the rows themselves when a burst of
    kudos is stored at once.
    """
    if not items:
        return []
    statement = insert(Kudos).returning(col(Kudos.id), sort_by_parameter_order=True)
    result = await session.exec(statement, params=[item.row() for item in items])
    ids = [int(row_id) for row_id in result.scalars()]
    recipients = [
        {
            "kudos_id": kudos_id,
            "recipient_id": recipient.person_id,
            "team_id": recipient.team_id,
            "points": item.points,
            "created_at": as_utc(item.created_at),
        }
        for kudos_id, item in zip(ids, items, strict=True)
        for recipient in item.recipients
    ]
    values = [
        {"kudos_id": kudos_id, "value": value}
        for kudos_id, item in zip(ids, items, strict=True)
        for value in dict.fromkeys(item.values)
    ]
    if recipients:
        await session.exec(insert(KudosRecipient), params=recipients)
    if values:
        await session.exec(insert(KudosValue), params=values)
    return ids


async def points_given_since(session: AsyncSession, *, giver_id: int, since: datetime) -> int:
    """Points a giver has handed out since `since` (each recipient counts)."""
    given = await points_given(session, since={giver_id: since})
    return sum(points for _, points in given.get(giver_id, ()))


async def points_given(session: AsyncSession, *, since: dict[int, datetime]) -> dict[int, list[tuple[datetime, int]]]:
    """Per giver, when and how many points they gave since their own moment (in one query for all givers)."""
    if not since:
        return {}
    earliest = as_utc(min(since.values()))
    statement = (
        select(Kudos.giver_id, Kudos.created_at, KudosRecipient.points)
        .join(Kudos, col(Kudos.id) == col(KudosRecipient.kudos_id))
        .where(col(Kudos.giver_id).in_(list(since)), col(Kudos.created_at) >= earliest)
    )
    given: dict[int, list[tuple[datetime, int]]] = {giver: [] for giver in since}
    for giver_id, created_at, points in (await session.exec(statement)).all():
        moment = as_utc(created_at)
        if moment >= as_utc(since[giver_id]):
            given[giver_id].append((moment, int(points)))
    return given


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
    """Teams by points received in the window, most first (ties by name).

    The closed days of a week, month, quarter or all time come from the summary (`storage.kudos.summary`), the rest
    from the kudos; only the per-team totals are joined to `team`.
    """
    totals = kudos_summary.leading(
        await kudos_summary.window_totals(session, subject=kudos_summary.TEAM, start=start, end=end), limit
    )
    statement = (
        select(Team.id, Team.name, totals.c.points, totals.c.kudos)
        .join(totals, totals.c.subject_id == col(Team.id))
        .order_by(totals.c.points.desc(), col(Team.name))
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = (await session.exec(statement)).all()
    return [TeamTotal(int(tid or 0), name, int(total), int(count)) for tid, name, total, count in rows]


async def person_totals(
    session: AsyncSession, *, start: datetime | None, end: datetime, limit: int | None = None
) -> list[PersonTotal]:
    """People by points received in the window, most first (ties by name); read like teams, summary first."""
    totals = kudos_summary.leading(
        await kudos_summary.window_totals(session, subject=kudos_summary.PERSON, start=start, end=end), limit
    )
    statement = (
        select(Person, totals.c.points, totals.c.kudos)
        .join(totals, totals.c.subject_id == col(Person.id))
        .order_by(totals.c.points.desc(), col(Person.display_name))
    )
    if limit is not None:
        statement = statement.limit(limit)
    rows = (await session.exec(statement)).all()
    return [PersonTotal(person, int(total), int(count)) for person, total, count in rows]


async def team_points(session: AsyncSession, *, team_id: int, start: datetime | None, end: datetime) -> int:
    """Points a team's members earned for it in the window."""
    totals = await kudos_summary.window_totals(
        session, subject=kudos_summary.TEAM, start=start, end=end, subject_id=team_id
    )
    return int((await session.exec(select(func.coalesce(func.sum(totals.c.points), 0)))).one())


@dataclass(frozen=True)
class KudosEntry:
    """A kudos as a person's history shows it: who gave it, to whom, why, which values."""

    kudos: Kudos
    giver: Person
    recipients: tuple[Person, ...]
    values: tuple[str, ...]


async def _entries(session: AsyncSession, kudos_rows: Sequence[Kudos]) -> list[KudosEntry]:
    ids = [row.id for row in kudos_rows if row.id is not None]
    if not ids:
        return []
    recipient_rows = await session.exec(
        select(KudosRecipient.kudos_id, Person)
        .join(Person, col(Person.id) == col(KudosRecipient.recipient_id))
        .where(col(KudosRecipient.kudos_id).in_(ids))
        .order_by(col(KudosRecipient.id))
    )
    recipients: dict[int, list[Person]] = {}
    for kudos_id, person in recipient_rows.all():
        recipients.setdefault(kudos_id, []).append(person)
    value_rows = await session.exec(
        select(KudosValue.kudos_id, KudosValue.value)
        .where(col(KudosValue.kudos_id).in_(ids))
        .order_by(col(KudosValue.value))
    )
    values: dict[int, list[str]] = {}
    for kudos_id, value in value_rows.all():
        values.setdefault(kudos_id, []).append(value)
    givers = {
        person.id: person
        for person in (
            await session.exec(select(Person).where(col(Person.id).in_({row.giver_id for row in kudos_rows})))
        ).all()
    }
    return [
        KudosEntry(
            kudos=row,
            giver=givers[row.giver_id],
            recipients=tuple(recipients.get(row.id or 0, ())),
            values=tuple(values.get(row.id or 0, ())),
        )
        for row in kudos_rows
    ]


async def entry(session: AsyncSession, *, kudos_id: int) -> KudosEntry | None:
    row = await session.get(Kudos, kudos_id)
    if row is None:
        return None
    return (await _entries(session, [row]))[0]


async def received_by(session: AsyncSession, *, person_id: int, limit: int = 5) -> list[KudosEntry]:
    """The latest kudos a person received, newest first."""
    statement = (
        select(Kudos)
        .join(KudosRecipient, col(KudosRecipient.kudos_id) == col(Kudos.id))
        .where(KudosRecipient.recipient_id == person_id)
        .order_by(col(Kudos.created_at).desc(), col(Kudos.id).desc())
        .limit(limit)
    )
    return await _entries(session, list((await session.exec(statement)).all()))


async def given_by(session: AsyncSession, *, person_id: int, limit: int = 5) -> list[KudosEntry]:
    """The latest kudos a person gave, newest first."""
    statement = (
        select(Kudos)
        .where(Kudos.giver_id == person_id)
        .order_by(col(Kudos.created_at).desc(), col(Kudos.id).desc())
        .limit(limit)
    )
    return await _entries(session, list((await session.exec(statement)).all()))


@dataclass(frozen=True)
class PersonSummary:
    received_points: int
    received_kudos: int
    given_points: int
    given_kudos: int


async def summary(session: AsyncSession, *, person_id: int) -> PersonSummary:
    """All-time totals for `/kudos me`."""
    received = (
        await session.exec(
            select(func.coalesce(func.sum(KudosRecipient.points), 0), func.count()).where(
                KudosRecipient.recipient_id == person_id
            )
        )
    ).one()
    given = (
        await session.exec(
            select(func.coalesce(func.sum(KudosRecipient.points), 0), func.count(func.distinct(Kudos.id)))
            .select_from(Kudos)
            .join(KudosRecipient, col(KudosRecipient.kudos_id) == col(Kudos.id))
            .where(Kudos.giver_id == person_id)
        )
    ).one()
    return PersonSummary(int(received[0]), int(received[1]), int(given[0]), int(given[1]))


async def top_values(session: AsyncSession, *, person_id: int, limit: int = 3) -> list[tuple[str, int]]:
    """The values a person is most recognised for, with how many kudos cited each."""
    count = func.count(col(KudosValue.kudos_id))
    statement = (
        select(KudosValue.value, count)
        .join(KudosRecipient, col(KudosRecipient.kudos_id) == col(KudosValue.kudos_id))
        .where(KudosRecipient.recipient_id == person_id)
        .group_by(col(KudosValue.value))
        .order_by(count.desc(), col(KudosValue.value))
        .limit(limit)
    )
    return [(value, int(total)) for value, total in (await session.exec(statement)).all()]
