"""A sealed delivery reaches its person, yet its outbox row never names them: not while it waits, not in what its
failures record, not once delivered (the row is gone); a row sealed with another key is refused, never misdelivered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from handlers.delivery import queue, sealed_person_deliveries
from handlers.messages import Card, text_card
from scheduler.outbox_worker import OutboxWorker
from scheduler.sending import DeliveryError, Destination
from storage import people as people_store
from storage.db import Database
from storage.models import OutboxMessage, Person
from tests.anonymity.support import Identity
from tests.conftest import both_engines

PERSON_ID = 7001
SECRET = "sealed-delivery-tests-key-0123456789abcdefgh"


class RecordingSender:
    """Fails the first `failures` sends with a reason that names the recipient, then delivers; remembers what."""

    platform = "slack"

    def __init__(self, failures: int = 0, *, permanent: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.delivered: list[tuple[int | None, str | None, str]] = []

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        if self.failures:
            self.failures -= 1
            raise DeliveryError(
                f"no conversation with person {destination.person_id} ({address})", permanent=self.permanent
            )
        self.delivered.append((destination.person_id, address, card.plain()))
        return f"D{address}:1700000000.000100"


async def _queue_notice(database: Database, secret: str = SECRET) -> Person:
    async with database.transaction() as session:
        person = Person(
            id=PERSON_ID, email="claire@acme.test", display_name="Claire Petit", slack_id="U0CLAIRE", language="fr"
        )
        await people_store.save(session, person)
        card = text_card("Un manager a répondu à votre commentaire anonyme")
        deliveries = sealed_person_deliveries(
            person=person, card=card, kind="pulse.followup", secret=secret, platforms=("slack",), dedupe_key="c-42:1"
        )
        await queue(session, deliveries)
    return person


async def _rows(database: Database) -> list[OutboxMessage]:
    async with database.sessions() as session:
        return list((await session.exec(select(OutboxMessage))).all())


def _names(row: OutboxMessage, person: Person) -> list[str]:
    """The columns of a row that name the person (their id, Slack id, DM, name, email, or hashes of them), or the
    comment its notice is about."""
    identity = Identity(label="Claire", person_id=person.id or 0)
    for role, value in (("slack id", "U0CLAIRE"), ("DM", "DU0CLAIRE"), ("name", "Claire Petit"), ("comment", "c-42")):
        identity.add(role, value)
    identity.add("email", "claire@acme.test")
    cells = [(key, value) for key, value in row.model_dump().items() if key != "id"]
    return sorted(identity.named_in(cells)) + [key for key, value in cells if "manager" in str(value)]


@both_engines
async def test_a_sealed_notice_reaches_its_person_and_leaves_no_row_behind(database: Database) -> None:
    person = await _queue_notice(database)
    (row,) = await _rows(database)
    assert row.person_id is None and row.sealed_to and _names(row, person) == []
    sender = RecordingSender()
    await OutboxWorker(database, {"slack": sender}, secret_key=SECRET).drain()
    assert sender.delivered == [(person.id, "U0CLAIRE", "Un manager a répondu à votre commentaire anonyme")]
    assert await _rows(database) == []


@both_engines
async def test_while_the_platform_fails_the_row_records_nothing_about_its_person(database: Database) -> None:
    person = await _queue_notice(database)
    clock = [datetime.now(UTC)]
    sender = RecordingSender(failures=3)
    worker = OutboxWorker(database, {"slack": sender}, clock=lambda: clock[0], secret_key=SECRET)
    for _ in range(3):
        await worker.drain()
        (row,) = await _rows(database)
        assert row.attempts >= 1 and row.last_error and "withheld" in row.last_error
        assert _names(row, person) == []
        clock[0] += timedelta(minutes=20)
    await worker.drain()
    assert [address for _, address, _ in sender.delivered] == ["U0CLAIRE"]
    assert await _rows(database) == []


@both_engines
async def test_a_permanent_failure_is_kept_without_its_reason(database: Database) -> None:
    person = await _queue_notice(database)
    await OutboxWorker(database, {"slack": RecordingSender(failures=1, permanent=True)}, secret_key=SECRET).drain()
    (row,) = await _rows(database)
    assert row.status == "failed" and row.last_error and "permanent" in row.last_error
    assert _names(row, person) == []


@both_engines
async def test_a_notice_sealed_with_another_key_is_never_delivered(database: Database) -> None:
    await _queue_notice(database, secret="the-key-before-rotation-0123456789abcdefgh")
    sender = RecordingSender()
    await OutboxWorker(database, {"slack": sender}, secret_key=SECRET).drain()
    assert sender.delivered == []
    (row,) = await _rows(database)
    assert row.status == "failed" and row.last_error and "another secret key" in row.last_error


@both_engines
async def test_the_same_notice_queued_twice_is_stored_once(database: Database) -> None:
    person = await _queue_notice(database)
    async with database.transaction() as session:
        again = sealed_person_deliveries(
            person=person,
            card=text_card("x"),
            kind="pulse.followup",
            secret=SECRET,
            platforms=("slack",),
            dedupe_key="c-42:1",
        )
        await queue(session, again)
    assert len(await _rows(database)) == 1
