"""Directory people are linked to their Slack accounts by email, so DMs reach people Bravo has never seen on Slack."""

from __future__ import annotations

from bot.config import Settings
from bot.slack.client import web_client
from bot.slack.people import link_directory_people
from storage import people as people_store
from storage.db import Database
from storage.models import Person
from tests.conftest import both_engines
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_workspace import make_user


@both_engines
async def test_imported_people_get_their_slack_ids_by_email(database: Database, settings: Settings) -> None:
    async with database.transaction() as session:
        await people_store.save(session, Person(email="bob@acme.test", display_name="Bob Smith"))
        await people_store.save(session, Person(email="nobody@acme.test", display_name="Not On Slack"))
    async with FakeSlackApi() as api:
        api.users["U2"] = make_user("U2", "bob", email="bob@acme.test", real_name="Robert Smith", locale="fr-FR")
        client = web_client(settings.model_copy(update={"slack_bot_token": "xoxb-test", "slack_api_url": api.base_url}))
        assert await link_directory_people(client, database) == 1
        assert await link_directory_people(client, database) == 0
        lookups = api.calls_to("users.lookupByEmail")
    async with database.sessions() as session:
        bob = await people_store.person_by_email(session, email="bob@acme.test")
    assert bob is not None and bob.slack_id == "U2"
    assert bob.display_name == "Bob Smith", "the directory's name wins"
    assert [call.args["email"] for call in lookups] == ["bob@acme.test", "nobody@acme.test", "nobody@acme.test"]
