"""Storing kudos: idempotency keys, the giver's lock, inserting a batch, and the points each giver has used.

Leaderboard totals are in `storage.kudos.leaderboard`, a person's history in `storage.kudos.history`.

Every timestamp passed in or stored is UTC: SQLite keeps datetimes without their offset, so mixing zones would
compare wall-clock times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Kudos, KudosRecipient, KudosValue, Person
from storage.upsert import table_of


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
            "created_at": self.created_at,
        }


async def insert_many(session: AsyncSession, items: Sequence[NewKudos]) -> list[int]:
    """Store many kudos in three statements (kudos, recipients, values); their ids, in order.

    Core inserts rather than ORM objects: the unit of work costs more than the rows themselves when a burst of
    kudos is stored at once.
    """
    if not items:
        return []
    kudos = table_of(Kudos)
    statement = insert(kudos).returning(kudos.c.id, sort_by_parameter_order=True)
    result = await session.exec(statement, params=[item.row() for item in items])
    ids = [int(row_id) for row_id in result.scalars()]
    recipients = [
        {
            "kudos_id": kudos_id,
            "recipient_id": recipient.person_id,
            "team_id": recipient.team_id,
            "points": item.points,
            "created_at": item.created_at,
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
        await session.exec(insert(table_of(KudosRecipient)), params=recipients)
    if values:
        await session.exec(insert(table_of(KudosValue)), params=values)
    return ids


async def points_given(session: AsyncSession, *, since: dict[int, datetime]) -> dict[int, list[tuple[datetime, int]]]:
    """Per giver, when and how many points they gave since their own moment (in one query for all givers)."""
    if not since:
        return {}
    earliest = min(since.values())
    statement = (
        select(Kudos.giver_id, Kudos.created_at, KudosRecipient.points)
        .join(Kudos, col(Kudos.id) == col(KudosRecipient.kudos_id))
        .where(col(Kudos.giver_id).in_(list(since)), col(Kudos.created_at) >= earliest)
    )
    given: dict[int, list[tuple[datetime, int]]] = {giver: [] for giver in since}
    for giver_id, created_at, points in (await session.exec(statement)).all():
        moment = created_at
        if moment >= since[giver_id]:
            given[giver_id].append((moment, int(points)))
    return given
