"""Teams conversation references: one row per person's chat, membership or channel, refreshed in place."""

from __future__ import annotations

import asyncio

from storage import conversation_references as teams_store
from storage.db import Database
from storage.models import Person
from storage.models.conversation_references import CHANNEL, MEMBER, PERSONAL
from tests.conftest import both_engines


async def _person(database: Database, name: str) -> int:
    async with database.transaction() as session:
        person = Person(display_name=name)
        session.add(person)
        await session.flush()
        return person.id or 0


@both_engines
async def test_references_are_upserted_by_kind_and_found_again(database: Database) -> None:
    bob = await _person(database, "Bob")
    async with database.transaction() as session:
        await teams_store.save_reference(
            session, kind=PERSONAL, person_id=bob, conversation_id="a:1", service_url="https://s/", reference="{}"
        )
        await teams_store.save_reference(
            session,
            kind=CHANNEL,
            conversation_id="19:general",
            service_url="https://s/",
            reference='{"v": 1}',
            team_id="19:general",
            tenant_id="t1",
        )
        await teams_store.save_reference(
            session, kind=MEMBER, person_id=bob, conversation_id="19:general", service_url="https://s/", reference="{}"
        )
    async with database.transaction() as session:
        await teams_store.save_reference(
            session, kind=PERSONAL, person_id=bob, conversation_id="a:2", service_url="https://s2/", reference="{}"
        )
    async with database.sessions() as session:
        personal = await teams_store.personal_reference(session, person_id=bob)
        member = await teams_store.member_reference(session, person_id=bob)
        channel = await teams_store.channel_reference(session, conversation_id="19:general")
        latest = await teams_store.latest_channel_reference(session, tenant_id="t1")
        teams = await teams_store.team_references(session)
    assert personal is not None and (personal.conversation_id, personal.service_url) == ("a:2", "https://s2/")
    assert member is not None and member.conversation_id == "19:general"
    assert channel is not None and channel.reference == '{"v": 1}' and latest is not None and latest.id == channel.id
    assert [row.team_id for row in teams] == ["19:general"]
    async with database.transaction() as session:
        await teams_store.forget_personal(session, person_id=bob)
    async with database.sessions() as session:
        assert await teams_store.personal_reference(session, person_id=bob) is None


@both_engines
async def test_concurrent_first_contacts_store_one_row(database: Database) -> None:
    ann = await _person(database, "Ann")

    async def save(conversation: str) -> None:
        async with database.transaction() as session:
            await teams_store.save_reference(
                session,
                kind=PERSONAL,
                person_id=ann,
                conversation_id=conversation,
                service_url="https://s/",
                reference="{}",
            )

    await asyncio.gather(*(save(f"a:{index}") for index in range(5)))
    async with database.sessions() as session:
        row = await teams_store.personal_reference(session, person_id=ann)
    assert row is not None and row.conversation_id.startswith("a:")
