"""A person's kudos history: what they received and gave, their totals and top values."""

from __future__ import annotations

from storage.db import Database
from storage.kudos import history as kudos_history
from tests.conftest import both_engines
from tests.storage.kudos.test_entries import three_kudos


@both_engines
async def test_history_totals_and_values(database: Database) -> None:
    ann, bob, _ = await three_kudos(database)
    async with database.sessions() as session:
        received = await kudos_history.received_by(session, person_id=bob.id or 0)
        given = await kudos_history.given_by(session, person_id=ann.id or 0)
        summary = await kudos_history.summary(session, person_id=ann.id or 0)
        values = await kudos_history.top_values(session, person_id=bob.id or 0)
    assert [entry.kudos.message for entry in received] == ["reason 0", "reason 2"]
    assert [person.display_name for person in given[0].recipients] == ["Bob", "Cy"]
    assert given[0].values == ("courage", "teamwork") and given[0].giver.display_name == "Ann"
    assert (summary.received_points, summary.received_kudos, summary.given_points, summary.given_kudos) == (1, 1, 7, 2)
    assert values == [("teamwork", 2), ("courage", 1)]
