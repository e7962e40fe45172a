"""Kudos queries: points a giver used, a person's history and totals, top values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import people as people_store
from storage.db import Database
from storage.kudos import entries as kudos_store
from storage.kudos.entries import NewKudos, NewRecipient
from storage.models import Person
from tests.conftest import both_engines

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)


@both_engines
async def test_history_totals_and_values(database: Database) -> None:
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
    async with database.sessions() as session:
        assert await kudos_store.points_given_since(session, giver_id=ann.id or 0, since=NOW - timedelta(days=1)) == 4
        assert await kudos_store.points_given_since(session, giver_id=ann.id or 0, since=NOW - timedelta(days=3)) == 7
        received = await kudos_store.received_by(session, person_id=bob.id or 0)
        given = await kudos_store.given_by(session, person_id=ann.id or 0)
        summary = await kudos_store.summary(session, person_id=ann.id or 0)
        values = await kudos_store.top_values(session, person_id=bob.id or 0)
        found = (await kudos_store.kudos_by_keys(session, keys=["key-1"])).get("key-1")
    assert [entry.kudos.message for entry in received] == ["reason 0", "reason 2"]
    assert [person.display_name for person in given[0].recipients] == ["Bob", "Cy"]
    assert given[0].values == ("courage", "teamwork") and given[0].giver.display_name == "Ann"
    assert (summary.received_points, summary.received_kudos, summary.given_points, summary.given_kudos) == (1, 1, 7, 2)
    assert values == [("teamwork", 2), ("courage", 1)]
    assert found is not None and found.giver_id == bob.id
