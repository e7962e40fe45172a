"""A person first seen on a platform joins their directory entry instead of becoming a duplicate."""

from __future__ import annotations

from handlers.people import PlatformProfile, sync_platform_person
from storage import people as people_store
from storage.db import Database
from storage.models import Person
from tests.conftest import both_engines


@both_engines
async def test_platform_people_are_matched_by_email_and_keep_directory_facts(database: Database) -> None:
    async with database.transaction() as session:
        await people_store.save(session, Person(email="bob@acme.test", display_name="Bob Smith", language="fr"))
    slack = PlatformProfile(
        platform="slack",
        platform_id="U2",
        display_name="bob",
        email="Bob@Acme.test",
        timezone="Europe/Paris",
        locale="en-US",
    )
    teams = PlatformProfile(
        platform="teams", platform_id="29:b", display_name="Bob S", aad_object_id="aad-b", email="bob@acme.test"
    )
    async with database.transaction() as session:
        first = await sync_platform_person(session, slack)
        again = await sync_platform_person(session, slack)
        on_teams = await sync_platform_person(session, teams)
    assert first.id == again.id == on_teams.id
    async with database.sessions() as session:
        everyone = await people_store.all_people(session)
    assert len(everyone) == 1
    bob = everyone[0]
    assert (bob.display_name, bob.language, bob.timezone) == ("Bob Smith", "fr", "Europe/Paris")
    assert (bob.slack_id, bob.teams_id, bob.aad_object_id) == ("U2", "29:b", "aad-b")


@both_engines
async def test_unknown_platform_people_are_created_with_their_locale(database: Database) -> None:
    profile = PlatformProfile(platform="slack", platform_id="U9", display_name="Zoé", locale="fr-FR", is_bot=False)
    async with database.transaction() as session:
        zoe = await sync_platform_person(session, profile)
    assert zoe.language == "fr" and zoe.email is None and zoe.display_name == "Zoé"
