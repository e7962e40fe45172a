"""The outbox worker delivers, retries transient failures after Retry-After, and records permanent ones."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from handlers.delivery import channel_delivery, person_deliveries, queue
from handlers.i18n import Translator
from handlers.messages import Card, text_card
from handlers.pulse.cards import question_card
from handlers.pulse.tokens import Ballot, ballot_token, parse_ballot
from scheduler.adaptive import START_RATE
from scheduler.outbox_worker import BATCH_SECONDS, OutboxWorker
from scheduler.sending import DeliveryError, Destination
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage, Person, PulseQuestion
from tests.conftest import TEST_SECRET_KEY, both_engines
from tests.scheduler.test_pacing import FakeTime, pacer


class ScriptedSender:
    """Fails as scripted, then succeeds; remembers what it delivered."""

    platform = "slack"

    def __init__(self, failures: dict[str, list[DeliveryError]]) -> None:
        self.failures = failures
        self.delivered: list[tuple[str | None, str]] = []

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        scripted = self.failures.get(address or "", [])
        if scripted:
            raise scripted.pop(0)
        self.delivered.append((address, card.plain()))
        return f"ts-{len(self.delivered)}"


@both_engines
async def test_worker_delivers_retries_and_fails_for_good(database: Database) -> None:
    sender = ScriptedSender(
        {
            "C-busy": [DeliveryError("ratelimited", permanent=False, retry_after=30)],
            "C-gone": [DeliveryError("channel_not_found", permanent=True)],
        }
    )
    async with database.transaction() as session:
        for channel in ("C-ok", "C-busy", "C-gone"):
            await queue(
                session, [channel_delivery(platform="slack", channel=channel, card=text_card(channel), kind="post")]
            )
    clock = [datetime.now(UTC)]
    worker = OutboxWorker(database, {"slack": sender}, clock=lambda: clock[0])
    await worker.drain()
    assert sender.delivered == [("C-ok", "C-ok")]
    clock[0] += timedelta(seconds=29)
    await worker.drain()
    assert len(sender.delivered) == 1
    clock[0] += timedelta(seconds=1)
    await worker.drain()
    assert sender.delivered[-1] == ("C-busy", "C-busy")
    async with database.sessions() as session:
        stats = await outbox.stats(session)
    assert (stats.sent, stats.pending, stats.failed) == (2, 0, 1)


@both_engines
async def test_transient_failures_keep_a_row_for_a_day_before_giving_up(database: Database) -> None:
    failures = [DeliveryError("service_unavailable", permanent=False) for _ in range(40)]
    sender = ScriptedSender({"C-down": failures})
    async with database.transaction() as session:
        await queue(
            session, [channel_delivery(platform="slack", channel="C-down", card=text_card("digest"), kind="post")]
        )
    clock = [datetime.now(UTC)]
    worker = OutboxWorker(database, {"slack": sender}, clock=lambda: clock[0])
    for _ in range(12):  # twelve failed tries within a few hours: still pending
        await worker.drain()
        clock[0] += timedelta(minutes=15)
    async with database.sessions() as session:
        assert (await outbox.stats(session)).pending == 1
    clock[0] += timedelta(hours=24)
    await worker.drain()
    async with database.sessions() as session:
        stats = await outbox.stats(session)
    assert (stats.pending, stats.failed) == (0, 1)


class CardSender(ScriptedSender):
    """Remembers the cards themselves."""

    def __init__(self) -> None:
        super().__init__({})
        self.cards: list[Card] = []

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        self.cards.append(card)
        return await super().send(destination, card, address=address)


@both_engines
async def test_pulse_ballots_are_added_as_a_message_is_sent_and_never_without_the_secret(database: Database) -> None:
    question = PulseQuestion(id=1, key="q", driver="tools", scale="yesno", text_en="Q?", text_fr="Q ?")
    card = question_card(Translator("en"), question, Ballot(9, 0), 1, deadline="soon", threshold=5)
    async with database.transaction() as session:
        person = Person(display_name="Ann", slack_id="U1")
        session.add(person)
        await session.flush()
        await queue(session, person_deliveries(person=person, card=card, kind="pulse.question", platforms=("slack",)))
    keyless = CardSender()
    await OutboxWorker(database, {"slack": keyless}).drain()
    async with database.sessions() as session:
        stats = await outbox.stats(session)
    assert keyless.cards == [] and (stats.failed, stats.pending) == (1, 0)
    async with database.transaction() as session:
        await queue(session, person_deliveries(person=person, card=card, kind="pulse.question", platforms=("slack",)))
    keyed = CardSender()
    await OutboxWorker(database, {"slack": keyed}, secret_key=TEST_SECRET_KEY).drain()
    (sent,) = keyed.cards
    token = ballot_token(TEST_SECRET_KEY, 9, person.id or 0)
    assert all(parse_ballot(c.value.partition(":")[0]) == Ballot(9, 0, 0, token) for c in sent.choices)
    async with database.sessions() as session:
        assert token not in "".join((await session.exec(select(OutboxMessage.payload))).all())


class SlowFirstAnswer:
    """A platform whose answer to the first message is slow to come back: the others are answered at once."""

    platform = "slack"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.answer = asyncio.Event()

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        self.calls.append(address or "")
        if len(self.calls) == 1:
            await self.answer.wait()
        return f"ts-{len(self.calls)}"


async def test_the_next_batch_goes_out_while_the_last_answers_of_the_one_before_are_on_their_way(
    database: Database,
) -> None:
    rows = 2 * int(START_RATE * BATCH_SECONDS)  # two batches at the starting rate
    async with database.transaction() as session:
        for index in range(rows):
            await queue(
                session, [channel_delivery(platform="slack", channel=f"C{index}", card=text_card("hi"), kind="post")]
            )
    sender = SlowFirstAnswer()
    time, now = FakeTime(), datetime.now(UTC)
    worker = OutboxWorker(
        database, {"slack": sender}, batch_size=1, clock=lambda: now, pacer=pacer(time, ceiling=START_RATE)
    )
    running = asyncio.create_task(worker.run_forever(idle_seconds=0.01))
    async with asyncio.timeout(30):
        while len(sender.calls) < rows:  # the second batch sent while the first message still waits for its answer
            await asyncio.sleep(0.01)
    sender.answer.set()
    async with asyncio.timeout(30):
        while True:
            async with database.sessions() as session:
                if (await outbox.stats(session)).pending == 0:
                    break
            await asyncio.sleep(0.01)
    worker.stop()
    await running
    assert sorted(sender.calls) == sorted(f"C{index}" for index in range(rows))


@both_engines
async def test_a_delivered_row_records_when_it_went_and_the_message_it_became(database: Database) -> None:
    async with database.transaction() as session:
        for channel in ("C1", "C2"):
            await queue(
                session, [channel_delivery(platform="slack", channel=channel, card=text_card("hi"), kind="post")]
            )
    now = datetime.now(UTC)
    await OutboxWorker(database, {"slack": ScriptedSender({})}, clock=lambda: now).drain()
    async with database.sessions() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()  # type: ignore[arg-type]
    assert [(row.status, row.attempts, row.lease_owner, row.lease_until) for row in rows] == [
        (outbox.SENT, 1, None, None)
    ] * 2
    assert sorted(row.delivered_ref or "" for row in rows) == ["ts-1", "ts-2"]
    assert all(abs(row.sent_at.replace(tzinfo=UTC) - now) < timedelta(milliseconds=1) for row in rows if row.sent_at)
    assert all(row.sent_at for row in rows)
