"""Proactive Teams messages: references stored on install, first contact and roster sync, used by the outbox."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.cli.teams import _roster
from bot.teams.errors import delivery_error
from handlers.delivery import channel_delivery, person_deliveries, queue
from handlers.messages import text_card
from storage import conversation_references as teams_store
from storage import outbox
from storage.models import OutboxMessage, Person
from storage.models.base import utcnow
from storage.models.delivery import FAILED, HELD, PENDING, SENT
from tests.bot.teams.conftest import TeamsApp
from tests.fakes import teams_activities as ta

ALICE, BOB = ta.teams_user("Alice Smith"), ta.teams_user("Bob Jones")


async def person(app: TeamsApp, email: str) -> Person:
    await app.described()  # a newcomer's email comes from the roster, asked after the turn
    async with app.runtime.database.sessions() as session:
        return (await session.exec(select(Person).where(Person.email == email))).one()


async def dm(app: TeamsApp, who: Person, text: str, key: str) -> None:
    async with app.runtime.database.transaction() as session:
        await queue(
            session,
            person_deliveries(
                person=who,
                card=text_card(text),
                kind="test_dm",
                platforms=app.runtime.policy.platforms,
                dedupe_key=key,
            ),
        )


async def outbox_rows(app: TeamsApp) -> list[OutboxMessage]:
    async with app.runtime.database.sessions() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def delivered_within(app: TeamsApp, *, seconds: float) -> bool:
    """Drain until every row is sent (a retry becomes due after its Retry-After), polling up to `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        await app.worker.drain()
        if all(row.status == SENT for row in await outbox_rows(app)):
            return True
        await asyncio.sleep(0.05)
    return False


async def install_in_team(app: TeamsApp) -> None:
    app.connector.members = [
        ta.roster_member("Alice Smith", email="alice@acme.example"),
        ta.roster_member("Bob Jones", email="bob@acme.example"),
    ]
    await app.import_people(("alice@acme.example", "Alice Smith", "Engineering"), ("bob@acme.example", "Bob", "Ops"))
    install = ta.install_update(service_url=app.connector.service_url, from_user=ALICE)
    assert await app.post(install) == 201
    assert await app.post(install) == 201


async def test_a_team_install_syncs_the_roster_by_email_and_says_hello_once(teams_app: TeamsApp) -> None:
    await install_in_team(teams_app)
    (welcome,) = await teams_app.connector.wait_for_activities(1)
    assert welcome["conversation"]["id"] == ta.TEAM_ID
    bob = await person(teams_app, "bob@acme.example")
    assert bob.teams_id == BOB["id"] and bob.aad_object_id == BOB["aadObjectId"] and bob.display_name == "Bob"
    async with teams_app.runtime.database.sessions() as session:
        assert await teams_store.channel_reference(session, conversation_id=ta.TEAM_ID) is not None
        member = await teams_store.member_reference(session, person_id=bob.id or 0)
    assert member is not None and member.conversation_id == ta.TEAM_ID and member.tenant_id == ta.TENANT_ID


async def test_a_dm_creates_a_1to1_chat_once_then_reuses_it(teams_app: TeamsApp) -> None:
    await install_in_team(teams_app)
    bob = await person(teams_app, "bob@acme.example")
    await dm(teams_app, bob, "Your pulse is open", "one")
    await teams_app.worker.drain()
    (created,) = teams_app.connector.created_conversations
    assert created.body["members"] == [{"id": BOB["id"], "name": "Bob"}]
    assert created.body["channelData"]["tenant"]["id"] == ta.TENANT_ID and not created.body["isGroup"]
    await dm(teams_app, bob, "Reminder", "two")
    await teams_app.worker.drain()
    assert len(teams_app.connector.created_conversations) == 1
    texts = [
        str(item["attachments"][0]["content"])
        for item in teams_app.connector.activities_in(created.conversation_id or "")
    ]
    assert len(texts) == 2 and "Reminder" in texts[1]
    assert [row.status for row in await outbox_rows(teams_app)] == [SENT, SENT]


async def test_first_contact_in_a_personal_chat_is_where_dms_go(teams_app: TeamsApp) -> None:
    url = teams_app.connector.service_url
    assert await teams_app.post(ta.personal_message("help", service_url=url, from_user=ALICE)) == 201
    async with teams_app.runtime.database.sessions() as session:
        alice = (await session.exec(select(Person).where(Person.teams_id == ALICE["id"]))).one()
    await dm(teams_app, alice, "Hello again", "hello")
    await teams_app.worker.drain()
    delivered = teams_app.connector.activities_in(ta.personal_conversation_id(ALICE))
    assert len(delivered) == 2 and teams_app.connector.created_conversations == []
    assert "replyToId" not in delivered[1]


async def test_throttling_is_retried_in_place_or_rescheduled_after_retry_after(teams_app: TeamsApp) -> None:
    await install_in_team(teams_app)
    connector = teams_app.connector
    bob = await person(teams_app, "bob@acme.example")
    await dm(teams_app, bob, "First", "first")
    connector.fail_next(429, retry_after=1, operations=["send"])
    await teams_app.worker.drain()
    assert [row.status for row in await outbox_rows(teams_app)] == [SENT]
    assert [record.status for record in connector.records if record.operation == "send"][-2:] == [429, 201]

    await dm(teams_app, bob, "Second", "second")
    connector.fail_next(429, retry_after=60, operations=["send"])
    await teams_app.worker.drain()
    second = (await outbox_rows(teams_app))[1]
    assert second.status == PENDING and "429" in (second.last_error or "")
    later = (utcnow() + timedelta(seconds=50)).replace(tzinfo=None)
    assert second.next_attempt_at.replace(tzinfo=None) > later


async def test_a_refused_app_password_holds_the_message_until_it_is_sent_again(teams_app: TeamsApp) -> None:
    """A 401 from the Bot Connector is Bravo's credentials, not the message: held, then delivered once released."""
    await install_in_team(teams_app)
    bob = await person(teams_app, "bob@acme.example")
    await dm(teams_app, bob, "Hello", "hello")
    teams_app.connector.fail_next(401, operations=["send"])
    await teams_app.worker.drain()
    (row,) = await outbox_rows(teams_app)
    assert (row.status, row.attempts) == (HELD, 0) and "401" in (row.last_error or "")
    async with teams_app.runtime.database.transaction() as session:
        assert await outbox.release_held(session, now=utcnow(), platform="teams") == 1
    await teams_app.worker.drain()
    assert [row.status for row in await outbox_rows(teams_app)] == [SENT]


def test_a_token_azure_refuses_holds_the_message() -> None:
    """botframework raises PermissionError when Azure refuses the app id and password for a token."""
    error = delivery_error(PermissionError("Failed to get access token with error: invalid_client"))
    assert error.held and not error.permanent and "invalid_client" in error.reason


async def test_a_person_who_blocked_the_bot_is_given_up_on(teams_app: TeamsApp) -> None:
    await install_in_team(teams_app)
    bob = await person(teams_app, "bob@acme.example")
    teams_app.connector.blocked.add(BOB["id"])
    await dm(teams_app, bob, "Hello", "hello")
    await teams_app.worker.drain()
    (row,) = await outbox_rows(teams_app)
    assert row.status == FAILED and "403" in (row.last_error or "")


async def test_channel_posts_use_the_installation_and_unknown_places_fail_for_good(teams_app: TeamsApp) -> None:
    async with teams_app.runtime.database.transaction() as session:
        await queue(
            session, [channel_delivery(platform="teams", channel=ta.CHANNEL_ID, card=text_card("Kudos!"), kind="t")]
        )
    await teams_app.worker.drain()
    assert [row.status for row in await outbox_rows(teams_app)] == [FAILED]
    await install_in_team(teams_app)
    async with teams_app.runtime.database.transaction() as session:
        await queue(
            session, [channel_delivery(platform="teams", channel=ta.CHANNEL_ID, card=text_card("Kudos!"), kind="t")]
        )
    await teams_app.worker.drain()
    (post,) = teams_app.connector.activities_in(ta.CHANNEL_ID)
    assert "Kudos!" in str(post["attachments"][0]["content"]) and post["conversation"]["id"] == ta.CHANNEL_ID


async def test_roster_sync_reaches_people_who_joined_later(teams_app: TeamsApp) -> None:
    await install_in_team(teams_app)
    teams_app.connector.members.append(ta.roster_member("Chloé Lambert", email="chloe@acme.example"))
    assert await _roster(argparse.Namespace(), teams_app.runtime) == 0
    chloe = await person(teams_app, "chloe@acme.example")
    async with teams_app.runtime.database.sessions() as session:
        assert await teams_store.member_reference(session, person_id=chloe.id or 0) is not None


async def test_a_personal_install_stores_the_chat_and_welcomes_in_it(teams_app: TeamsApp) -> None:
    connector = teams_app.connector
    connector.members = [ta.roster_member("Alice Smith", email="alice@acme.example")]
    install = ta.install_update(service_url=connector.service_url, scope="personal", from_user=ALICE)
    assert await teams_app.post(install) == 201
    (welcome,) = await connector.wait_for_activities(1)
    assert welcome["conversation"]["id"] == ta.personal_conversation_id(ALICE)
    alice = await person(teams_app, "alice@acme.example")
    async with teams_app.runtime.database.sessions() as session:
        reference = await teams_store.personal_reference(session, person_id=alice.id or 0)
    assert reference is not None and reference.conversation_id == ta.personal_conversation_id(ALICE)


@pytest.mark.parametrize("where", ["activity", "clientInfo"])
async def test_a_personal_install_welcomes_in_the_installer_s_language(teams_app: TeamsApp, where: str) -> None:
    connector = teams_app.connector
    connector.members = [ta.roster_member("Alice Smith", email="alice@acme.example")]
    install = ta.install_update(service_url=connector.service_url, scope="personal", from_user=ALICE)
    if where == "activity":
        install["locale"] = "fr-FR"
    else:
        install["entities"] = [{"type": "clientInfo", "locale": "fr-FR", "country": "FR", "platform": "Web"}]
    assert await teams_app.post(install) == 201
    (welcome,) = await connector.wait_for_activities(1)
    shown = json.dumps(welcome["attachments"][0]["content"], ensure_ascii=False)
    assert "Valeurs de l'entreprise" in shown and "Company values" not in shown
