"""Directory queries and the idempotency primitive, on both engines."""

from __future__ import annotations

from storage import people as people_store
from storage.db import Database
from storage.events import claim_event
from storage.models import Person, Team
from tests.conftest import both_engines


@both_engines
async def test_people_are_found_by_platform_ids_email_and_name(database: Database) -> None:
    async with database.transaction() as session:
        team = Team(name="Engineering")
        await people_store.save(session, team)
        await people_store.save(
            session,
            Person(email="bob@example.com", display_name="Bob Smith", slack_id="U2", teams_id="29:b", team_id=team.id),
        )
    async with database.sessions() as session:
        assert (await people_store.person_by_slack_id(session, slack_id="U2")) is not None
        assert (await people_store.person_by_teams_id(session, teams_id="29:b")) is not None
        assert (await people_store.person_by_email(session, email=" BOB@example.com ")) is not None
        assert [p.display_name for p in await people_store.people_named(session, name="bob")] == ["Bob Smith"]
        assert [p.display_name for p in await people_store.people_named(session, name="bob smith")] == ["Bob Smith"]
        assert (await people_store.team_by_name(session, name="engineering")) is not None
        assert len(await people_store.team_members(session, team_id=team.id or 0)) == 1


@both_engines
async def test_an_event_key_is_claimed_once(database: Database) -> None:
    async with database.transaction() as session:
        assert await claim_event(session, key="slack:Ev1")
        assert not await claim_event(session, key="slack:Ev1")
    async with database.transaction() as session:
        assert not await claim_event(session, key="slack:Ev1")
        assert await claim_event(session, key="slack:Ev2")


@both_engines
async def test_values_sync_keeps_retired_ones_inactive(database: Database) -> None:
    async with database.transaction() as session:
        await people_store.sync_values(session, slugs=["teamwork", "#Courage"])
    async with database.transaction() as session:
        await people_store.sync_values(session, slugs=["teamwork", "kindness"])
    async with database.sessions() as session:
        assert await people_store.active_values(session) == ["kindness", "teamwork"]


@both_engines
async def test_manager_links_name_who_reports_to_whom(database: Database) -> None:
    async with database.transaction() as session:
        dana = Person(email="dana@example.com", display_name="Dana")
        await people_store.save(session, dana)
        bruno = Person(email="bruno@example.com", display_name="Bruno", manager_id=dana.id)
        await people_store.save(session, bruno)
        grace = Person(email="grace@example.com", display_name="Grace", manager_id=bruno.id)
        await people_store.save(session, grace)
    async with database.sessions() as session:
        links = await people_store.manager_links(session)
    assert links == {bruno.id: dana.id, grace.id: bruno.id}
