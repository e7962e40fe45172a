"""A person's kudos history: the kudos they received and gave, their all-time totals and their top values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Kudos, KudosRecipient, KudosValue, Person


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
