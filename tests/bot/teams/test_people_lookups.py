"""Teams newcomers are recorded from the activity and described by the roster after their turn: no Bot Connector
call in the request, one call per person however many requests ask, and the request path only while a directory
person waits to be linked (docs/teams.md, "Who is asked about, and when")."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import func, select

from bot.teams import lookups as lookups_module
from bot.teams.lookups import MemberLookups
from storage.models import KudosRecipient, Person
from tests.bot.teams.conftest import TeamsApp
from tests.fakes import teams_activities as ta

ALICE, BOB = ta.teams_user("Alice Smith"), ta.teams_user("Bob Jones")


def member_calls(app: TeamsApp) -> list[str]:
    return [record.operation for record in app.connector.records if record.operation == "member"]


async def person_of(app: TeamsApp, teams_id: str) -> Person:
    async with app.runtime.database.sessions() as session:
        return (await session.exec(select(Person).where(Person.teams_id == teams_id))).one()


def kudos_to_bob(app: TeamsApp, text: str = "thanks for the release") -> dict[str, Any]:
    return ta.channel_message(
        f"kudos <at>Bob Jones</at> {text}", service_url=app.connector.service_url, from_user=ALICE, mentions=[BOB]
    )


class Gate:
    """Stands in for the roster call: counts the calls and holds them until opened."""

    def __init__(self, app: TeamsApp) -> None:
        self.app = app
        self.opened = asyncio.Event()
        self.asked: list[str] = []
        self.answered_before: list[int] = []

    async def fetch(self, _turn_context: Any, member_id: str) -> Any:
        self.asked.append(member_id)
        self.answered_before.append(len(self.app.connector.activities))
        await self.opened.wait()
        return None


async def test_a_kudos_from_unknown_people_is_answered_without_asking_the_roster(teams_app: TeamsApp) -> None:
    teams_app.connector.members = [
        ta.roster_member("Alice Smith", email="alice@acme.example"),
        ta.roster_member("Bob Jones", email="bob@acme.example"),
    ]
    assert await teams_app.post(kudos_to_bob(teams_app)) == 201
    (answer,) = await teams_app.connector.wait_for_activities(1)
    assert "Bob Jones" in str(answer["attachments"][0]["content"])
    alice = await person_of(teams_app, ALICE["id"])
    assert alice.display_name == "Alice Smith" and alice.aad_object_id == ALICE["aadObjectId"]
    async with teams_app.runtime.database.sessions() as session:
        assert (await session.exec(select(func.count()).select_from(KudosRecipient))).one() == 1
    await teams_app.described()
    assert len(member_calls(teams_app)) == 2  # after the turn: Alice and Bob, once each
    assert (await person_of(teams_app, ALICE["id"])).email == "alice@acme.example"
    assert (await person_of(teams_app, BOB["id"])).email == "bob@acme.example"


async def test_the_roster_is_asked_only_once_the_turn_is_answered(
    teams_app: TeamsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(teams_app)
    monkeypatch.setattr(lookups_module, "fetch_member", gate.fetch)
    # The roster hangs: the request must not wait for it.
    assert await asyncio.wait_for(teams_app.post(kudos_to_bob(teams_app)), timeout=10) == 201
    await teams_app.connector.wait_for_activities(1)
    await asyncio.sleep(0.05)
    assert sorted(gate.asked) == sorted([ALICE["id"], BOB["id"]])
    assert min(gate.answered_before) == 1  # every look-up began after the answer was sent
    gate.opened.set()
    await teams_app.described()


async def test_concurrent_requests_about_one_newcomer_share_one_roster_call(
    teams_app: TeamsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(teams_app)
    monkeypatch.setattr(lookups_module, "fetch_member", gate.fetch)
    posts = [teams_app.post(kudos_to_bob(teams_app, f"thanks for fix {n}")) for n in range(4)]
    assert await asyncio.wait_for(asyncio.gather(*posts), timeout=10) == [201] * 4
    await asyncio.sleep(0.05)
    gate.opened.set()
    await teams_app.described()
    assert sorted(gate.asked) == sorted([ALICE["id"], BOB["id"]])  # one call each, for four requests


async def test_a_known_person_is_not_asked_about_again(teams_app: TeamsApp) -> None:
    teams_app.connector.members = [
        ta.roster_member("Alice Smith", email="alice@acme.example"),
        ta.roster_member("Bob Jones", email="bob@acme.example"),
    ]
    assert await teams_app.post(kudos_to_bob(teams_app)) == 201
    await teams_app.described()
    asked = len(member_calls(teams_app))
    assert await teams_app.post(kudos_to_bob(teams_app, "and for the docs")) == 201
    await teams_app.described()
    assert len(member_calls(teams_app)) == asked


async def test_while_a_directory_person_waits_to_be_linked_the_newcomer_is_asked_in_the_request(
    teams_app: TeamsApp,
) -> None:
    teams_app.connector.members = [
        ta.roster_member("Alice Smith", email="alice@acme.example"),
        ta.roster_member("Bob Jones", email="bob@acme.example"),
    ]
    await teams_app.import_people(("alice@acme.example", "Alice Martin", "Engineering"))
    assert await teams_app.post(kudos_to_bob(teams_app)) == 201
    alice = await person_of(teams_app, ALICE["id"])
    assert alice.email == "alice@acme.example" and alice.display_name == "Alice Martin"  # joined, not doubled
    async with teams_app.runtime.database.sessions() as session:
        emails = (await session.exec(select(Person.email).where(Person.email == "alice@acme.example"))).all()
    assert len(emails) == 1


async def test_look_ups_are_kept_and_shared() -> None:
    lookups = MemberLookups()
    calls: list[str] = []
    now = datetime(2026, 12, 3, tzinfo=UTC)

    async def ask() -> Any:
        calls.append("asked")
        await asyncio.sleep(0.01)
        return {"id": "29:1"}

    answers = await asyncio.gather(*(lookups.flights.get("29:1", now, ask) for _ in range(5)))
    assert answers == [{"id": "29:1"}] * 5 and calls == ["asked"]
    assert await lookups.flights.get("29:1", now, ask) == {"id": "29:1"} and calls == ["asked"]


async def test_another_bot_mentioned_is_recorded_as_a_bot_and_gets_no_kudos(teams_app: TeamsApp) -> None:
    deploy = ta.teams_user("Deploy Bot", user_id="28:deploy-bot")
    activity = ta.channel_message(
        "kudos <at>Deploy Bot</at> thanks",
        service_url=teams_app.connector.service_url,
        from_user=ALICE,
        mentions=[deploy],
    )
    assert await teams_app.post(activity) == 201
    (answer,) = await teams_app.connector.wait_for_activities(1)
    assert "bot" in str(answer["attachments"][0]["content"]).lower()
    assert (await person_of(teams_app, "28:deploy-bot")).is_bot
    async with teams_app.runtime.database.sessions() as session:
        assert (await session.exec(select(func.count()).select_from(KudosRecipient))).one() == 0
