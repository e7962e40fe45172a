"""Export finds everything about a person; forgetting removes the way back to them but keeps recognition."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from handlers.delivery import person_deliveries, queue
from handlers.i18n import Translator
from handlers.messages import text_card
from handlers.policy import Policy
from handlers.privacy import WITHHELD, export_person, forget_person, privacy_reply
from handlers.pulse import send_now
from storage import outbox
from storage import people as people_store
from storage.db import Database
from storage.models import Kudos, KudosRecipient, Person, Team
from tests.conftest import both_engines
from tests.handlers.pulse.test_support import delivered_cards, seed_org


async def _organisation(database: Database) -> tuple[int, int]:
    async with database.transaction() as session:
        team = Team(name="Engineering")
        await people_store.save(session, team)
        alice = Person(email="alice@acme.test", display_name="Alice", slack_id="U1", team_id=team.id)
        bob = Person(email="bob@acme.test", display_name="Bob", slack_id="U2", team_id=team.id)
        await people_store.save(session, alice)
        await people_store.save(session, bob)
        bob.manager_id = alice.id
        team.manager_id = alice.id
        await people_store.save(session, bob)
        await people_store.save(session, team)
        kudos = Kudos(
            giver_id=alice.id or 0,
            points=2,
            message="great release",
            source="slash",
            platform="slack",
            idempotency_key="k1",
        )
        session.add(kudos)
        await session.flush()
        session.add(KudosRecipient(kudos_id=kudos.id or 0, recipient_id=bob.id or 0, team_id=team.id, points=2))
        await queue(session, person_deliveries(person=alice, card=text_card("hello"), kind="dm"))
    return alice.id or 0, bob.id or 0


@both_engines
async def test_export_lists_every_row_about_the_person(database: Database) -> None:
    alice_id, _ = await _organisation(database)
    async with database.sessions() as session:
        alice = await people_store.get_person(session, person_id=alice_id)
        assert alice is not None
        data = await export_person(session, person=alice)
    tables = data["tables"]
    assert tables["person"][0]["email"] == "alice@acme.test"
    assert tables["kudos.giver_id"][0]["message"] == "great release"
    assert len(tables["outbox.person_id"]) == 1
    assert tables["team.manager_id"][0]["name"] == "Engineering"


@both_engines
async def test_forget_keeps_kudos_for_recipients_without_the_givers_identity(database: Database) -> None:
    alice_id, bob_id = await _organisation(database)
    async with database.transaction() as session:
        alice = await people_store.get_person(session, person_id=alice_id)
        assert alice is not None
        report = await forget_person(session, person=alice, t=Translator("fr"))
    assert report.rows_removed == 1
    async with database.sessions() as session:
        alice = await people_store.get_person(session, person_id=alice_id)
        bob = await people_store.get_person(session, person_id=bob_id)
        team = await people_store.team_by_name(session, name="Engineering")
        assert alice is not None and bob is not None and team is not None
        assert (alice.display_name, alice.email, alice.slack_id, alice.active) == ("Ancien collègue", None, None, False)
        assert bob.manager_id is None and team.manager_id is None
        assert await people_store.person_by_email(session, email="alice@acme.test") is None
        assert (await outbox.stats(session)).pending == 0
        data = await export_person(session, person=alice)
    assert data["tables"]["kudos.giver_id"][0]["message"] == "great release"


def test_privacy_card_in_both_languages() -> None:
    policy = Policy(anonymity_threshold=5)
    assert "at least 5 people" in (privacy_reply(Translator("en"), policy).card or _no()).plain()
    assert "au moins 5 personnes" in (privacy_reply(Translator("fr"), policy).card or _no()).plain()


def _no() -> object:
    raise AssertionError("no card")


@both_engines
async def test_an_export_holds_no_ballot_token_and_no_pulse_message(database: Database, policy: Policy) -> None:
    """Whoever reads an export (the admin, a mailbox) could answer in the person's name with a token."""
    now = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
    async with database.transaction() as session:
        members = await seed_org(session, {"Ops": 5})
        await send_now(session, policy=policy, now=now)
        person = members["Ops"][0]
        pulse_messages = await delivered_cards(session, person)
        data = await export_person(session, person=person)
    assert pulse_messages, "no pulse was queued for the person"
    values = {choice.value for card in pulse_messages for choice in card.choices}
    tokens = {token for value in values for token in re.findall(r"[A-Za-z0-9_-]{16,}", value)}
    exported = json.dumps(data, default=str)
    assert tokens and not [token for token in tokens if token in exported]
    assert "pulse_ballot.person_id" not in data["tables"]
    queued = [row for row in data["tables"]["outbox.person_id"] if str(row["kind"]).startswith("pulse.")]
    assert queued and all(row["payload"] == WITHHELD for row in queued)
    assert "ballot tokens" in data["note"]
