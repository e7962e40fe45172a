"""Storing kudos: the points a giver used, and kudos found again by their idempotency keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import people as people_store
from storage.db import Database
from storage.kudos import entries as kudos_store
from storage.kudos.entries import NewKudos, NewRecipient
from storage.models import Person
from tests.conftest import both_engines

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)


async def three_kudos(database: Database) -> tuple[Person, Person, Person]:
    """Ann, Bob and Cy; Ann thanks Bob and Cy (2 each, 3 h ago) and Bob (3, two days ago); Bob thanks Ann (1)."""
    async with database.transaction() as session:
        ann, bob, cy = Person(display_name="Ann"), Person(display_name="Bob"), Person(display_name="Cy")
        for person in (ann, bob, cy):
            await people_store.save(session, person)
        specs = [
            (ann, [bob, cy], 2, ["teamwork", "courage"], NOW - timedelta(hours=3)),
            (bob, [ann], 1, ["teamwork"], NOW - timedelta(hours=2)),
            (ann, [bob], 3, ["teamwork"], NOW - timedelta(days=2)),
        ]
        for index, (giver, recipients, points, values, moment) in enumerate(specs):
            new = NewKudos(
                giver_id=giver.id or 0,
                points=points,
                message=f"reason {index}",
                source="command",
                platform="slack",
                idempotency_key=f"key-{index}",
                created_at=moment.astimezone(UTC),
                recipients=[NewRecipient(person.id or 0, None) for person in recipients],
                values=values,
            )
            await kudos_store.insert_many(session, [new])
    return ann, bob, cy


async def points_given_since(session: AsyncSession, *, giver_id: int, since: datetime) -> int:
    """Points a giver has handed out since `since` (each recipient counts)."""
    given = await kudos_store.points_given(session, since={giver_id: since})
    return sum(points for _, points in given.get(giver_id, ()))


@both_engines
async def test_points_given_and_kudos_found_by_key(database: Database) -> None:
    ann, bob, _ = await three_kudos(database)
    async with database.sessions() as session:
        assert await points_given_since(session, giver_id=ann.id or 0, since=NOW - timedelta(days=1)) == 4
        assert await points_given_since(session, giver_id=ann.id or 0, since=NOW - timedelta(days=3)) == 7
        found = (await kudos_store.kudos_by_keys(session, keys=["key-1"])).get("key-1")
    assert found is not None and found.giver_id == bob.id
