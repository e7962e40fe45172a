"""Deliveries are paced per channel and per platform, and a Retry-After pauses only the destination that got it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from handlers.delivery import channel_delivery, queue
from handlers.messages import Card, text_card
from scheduler.adaptive import START_RATE
from scheduler.outbox_worker import OutboxWorker
from scheduler.pacing import Pacer
from scheduler.sending import DeliveryError, Destination
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage
from tests.conftest import both_engines


class FakeTime:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def pacer(time: FakeTime, **options: object) -> Pacer:
    return Pacer(monotonic=time.monotonic, sleep=time.sleep, **options)  # type: ignore[arg-type]


async def test_one_message_per_second_per_channel_and_channels_do_not_wait_for_each_other() -> None:
    time = FakeTime()
    pace = pacer(time)
    for destination in ("C1", "C1", "C2", "C1"):
        assert await pace.acquire("slack", destination)
    # C1 at 0, 1 and 2; C2 in the workspace's next slot after the first (1/20 s at the starting rate).
    assert time.now - 1000 == 2.0 and round(sum(time.sleeps), 3) == 2.0


async def test_the_workspace_rate_spaces_every_message_and_console_is_not_paced() -> None:
    time = FakeTime()
    pace = pacer(time, destination_intervals={})
    for destination in ("A", "B", "C"):
        await pace.acquire("slack", destination)
    await pace.acquire("console", "anything")
    assert time.sleeps == [1 / START_RATE, 1 / START_RATE]


async def test_a_slot_beyond_the_deadline_is_refused_without_waiting() -> None:
    time = FakeTime()
    pace = pacer(time)
    pace.pause("slack", "C1", 30)
    assert not await pace.acquire("slack", "C1", deadline=time.now + 5)
    assert await pace.acquire("slack", "C2", deadline=time.now + 5)
    assert time.sleeps == [] and pace.slot("slack", "C1") == time.now + 30


class ScriptedSender:
    platform = "slack"

    def __init__(self, failures: dict[str, list[DeliveryError]]) -> None:
        self.failures = failures
        self.delivered: list[str] = []

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        scripted = self.failures.get(address or "", [])
        if scripted:
            raise scripted.pop(0)
        self.delivered.append(card.plain())
        return None


@both_engines
async def test_after_a_retry_after_the_channel_waits_and_its_other_posts_are_given_back(database: Database) -> None:
    sender = ScriptedSender({"C-busy": [DeliveryError("ratelimited", permanent=False, retry_after=20)]})
    async with database.transaction() as session:
        for channel, text in (("C-busy", "first"), ("C-calm", "calm")):
            await queue(
                session, [channel_delivery(platform="slack", channel=channel, card=text_card(text), kind="post")]
            )
    clock = [datetime.now(UTC)]
    worker = OutboxWorker(database, {"slack": sender}, clock=lambda: clock[0])
    await worker.drain()
    assert sender.delivered == ["calm"]
    async with database.transaction() as session:
        await queue(
            session, [channel_delivery(platform="slack", channel="C-busy", card=text_card("second"), kind="post")]
        )
    await worker.drain()  # "second" has no slot for 20 s: given back for later, without counting an attempt
    assert sender.delivered == ["calm"]
    async with database.sessions() as session:
        assert (await outbox.stats(session)).pending == 2
    clock[0] += timedelta(seconds=20)
    await worker.drain()
    assert sorted(sender.delivered) == ["calm", "first", "second"]


class LateTime(FakeTime):
    """A clock whose first sleep (or, `every`, each one) overshoots, like an event loop busy when the slot came."""

    def __init__(self, late: float, *, every: bool = False) -> None:
        super().__init__()
        self.late = late
        self.every = every

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds + self.late)
        if not self.every:
            self.late = 0.0


async def test_a_message_that_left_long_after_its_slot_pushes_the_next_one_back_so_they_never_arrive_together() -> None:
    time = LateTime(late=0.05)
    pace = pacer(time, destination_intervals={}, ceiling=10)
    while pace.rate("slack") < 10:
        pace.lane("slack").rate.delivered(time.now)
    released = []
    for destination in ("A", "B", "C", "D"):
        await pace.acquire("slack", destination)
        released.append(round(time.now - 1000, 3))
    # B was due at 0.1 but left at 0.15, later than CATCH_UP_SECONDS: C and D keep a tenth of a second behind it.
    assert released == [0.0, 0.15, 0.25, 0.35]


async def test_messages_refused_a_slot_are_projected_by_their_place_in_the_queue() -> None:
    time = FakeTime()
    pace = pacer(time, ceiling=4)
    assert await pace.acquire("slack", "C1")  # C1's next slot: +1 s; the workspace's: +0.25 s
    slots = pace.projected("slack", ["C1", "C1", "D1", "C1", "D2"])
    assert [round(slot - time.now, 2) for slot in slots] == [1.0, 2.0, 2.25, 3.0, 3.25]
    assert pace.slot("slack", "C1") == time.now + 1  # nothing was reserved


@both_engines
async def test_a_backlog_to_one_channel_comes_back_spaced_instead_of_every_second(database: Database) -> None:
    sender = ScriptedSender({})
    async with database.transaction() as session:
        for index in range(12):
            await queue(
                session, [channel_delivery(platform="slack", channel="C-busy", card=text_card(f"{index}"), kind="post")]
            )
    clock = [datetime.now(UTC)]
    time = FakeTime()
    worker = OutboxWorker(database, {"slack": sender}, clock=lambda: clock[0], pacer=pacer(time))
    await worker.drain_once()  # one post a second: six fit within the worker's five-second horizon
    assert len(sender.delivered) == 6
    async with database.sessions() as session:
        rows = (await session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending"))).all()
    offsets = sorted(round((row.next_attempt_at - clock[0]).total_seconds()) for row in rows)
    assert offsets == [1, 2, 3, 4, 5, 6]
