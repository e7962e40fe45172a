"""The inbox worker: claims, retries with backoff, parking after N failures (never blocking the others), replay,
several workers at once, and the housekeeping that forgets old handled deliveries."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import select

from handlers.policy import Policy
from scheduler.config import SchedulerConfig
from scheduler.housekeeping import forget_handled
from scheduler.inbox_worker import InboxWorker, backoff
from scheduler.jobs import ScheduledJobs
from scheduler.leases import LeaseOwner
from storage import inbox
from storage.db import Database
from storage.events import claim_event
from storage.inbox import Delivery
from storage.models import InboxEvent, ProcessedEvent
from storage.models.base import utcnow
from tests.conftest import both_engines


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


async def store(database: Database, *bodies: str) -> None:
    async with database.transaction() as session:
        await inbox.store_many(
            session, [Delivery(delivery_id=f"slack:{body}", platform="slack", body=body) for body in bodies]
        )


@both_engines
async def test_a_failing_event_is_retried_then_parked_without_holding_up_the_others(database: Database) -> None:
    await store(database, "bad", "good-1", "good-2")
    clock, seen = Clock(), []

    async def process(body: str) -> None:
        seen.append(body)
        if body == "bad":
            raise ValueError("cannot read this event")

    worker = InboxWorker(database, {"slack": process}, max_attempts=3, clock=clock)
    await worker.drain()
    assert sorted(seen) == ["bad", "good-1", "good-2"]
    await worker.drain()
    assert seen.count("bad") == 1  # backing off: not due again yet
    for _ in range(2):
        clock.now += timedelta(minutes=10)
        await worker.drain()
    assert seen.count("bad") == 3
    async with database.sessions() as session:
        assert (await inbox.stats(session)) == inbox.InboxStats(pending=0, parked=1, done=2)
        (parked,) = await inbox.parked(session)
    assert parked.attempts == 3 and parked.last_error == "ValueError: cannot read this event"
    clock.now += timedelta(hours=1)
    assert await worker.drain() == 0  # a parked row is left alone

    async def fixed(body: str) -> None:
        seen.append(body)

    worker.processors["slack"] = fixed
    async with database.transaction() as session:
        assert await inbox.replay(session, now=clock.now) == 1
    await worker.drain()
    async with database.sessions() as session:
        assert (await inbox.stats(session)) == inbox.InboxStats(pending=0, parked=0, done=3)


class Batches:
    """A processor that takes a claimed batch at once; "bad" fails, alone."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def process_many(self, bodies: Sequence[str]) -> list[Exception | None]:
        self.calls.append(list(bodies))
        return [ValueError("cannot read this event") if body == "bad" else None for body in bodies]


@both_engines
async def test_a_batch_processor_gets_each_claim_at_once_claims_grow_while_rows_wait_and_a_bad_row_fails_alone(
    database: Database,
) -> None:
    await store(database, *(f"event-{index:02}" for index in range(40)), "bad")
    clock, processor = Clock(), Batches()
    worker = InboxWorker(database, {"slack": processor}, batch_size=4, max_batch=16, max_attempts=2, clock=clock)
    assert await worker.drain() == 41
    assert [len(call) for call in processor.calls] == [4, 8, 16, 13]  # 13 < 16: the next claim is small again
    async with database.sessions() as session:
        assert (await inbox.stats(session)) == inbox.InboxStats(pending=1, parked=0, done=40)
    clock.now += timedelta(minutes=10)
    assert await worker.drain() == 1 and processor.calls[-1] == ["bad"]
    async with database.sessions() as session:
        assert (await inbox.stats(session)) == inbox.InboxStats(pending=0, parked=1, done=40)
    default = InboxWorker(database, {})
    assert (default.batch_size, default.max_batch) == (16, 250)  # as docs/operations.md says


@both_engines
async def test_the_worker_says_it_is_backlogged_while_its_claims_come_back_a_batch_s_worth(database: Database) -> None:
    """The outbox of the same process holds its notifications meanwhile (`scheduler.priority`)."""
    worker = InboxWorker(database, {"slack": Batches()}, batch_size=4, max_batch=8)
    assert not worker.backlogged()
    await store(database, *(f"burst-{index:02}" for index in range(12)))
    await worker.drain_once()
    assert worker.backlogged()  # a full claim: more are waiting
    await worker.drain_once()
    assert worker.backlogged()
    assert await worker.drain_once() == 0
    assert not worker.backlogged()  # caught up
    await store(database, "alone")
    await worker.drain_once()
    assert not worker.backlogged()  # a trickle holds nothing back
    await store(database, *(f"late-{index:02}" for index in range(8)))
    worker.stop()
    await worker.drain_once()
    assert not worker.backlogged()  # a worker being stopped never holds the outbox


@both_engines
async def test_a_resent_delivery_is_stored_once(database: Database) -> None:
    await store(database, "same")
    await store(database, "same", "other")
    async with database.sessions() as session:
        assert (await inbox.stats(session)).pending == 2


@both_engines
async def test_two_workers_never_process_the_same_row(database: Database) -> None:
    processed: list[str] = []

    async def process(body: str) -> None:
        await asyncio.sleep(0)
        processed.append(body)

    bodies = [f"event-{index}" for index in range(60)]
    await store(database, *bodies)
    owners = [LeaseOwner("host", "ns", 100 + index, "t") for index in range(2)]
    workers = [InboxWorker(database, {"slack": process}, batch_size=7, owner=owner) for owner in owners]
    await asyncio.gather(*(worker.drain() for worker in workers))
    assert sorted(processed) == sorted(bodies)


@both_engines
async def test_a_row_leased_by_a_stopped_worker_is_processed_by_the_next(database: Database) -> None:
    processed: list[str] = []

    async def process(body: str) -> None:
        processed.append(body)

    await store(database, "leased")
    clock = Clock()
    async with database.transaction() as session:
        (row,) = await inbox.claim(session, now=clock.now, lease=timedelta(minutes=2), owner="gone|ns|1|t")
    worker = InboxWorker(database, {"slack": process}, clock=clock)
    assert await worker.drain() == 0  # leased elsewhere
    clock.now += timedelta(minutes=3)
    assert await worker.drain() == 1 and processed == ["leased"] and row.delivery_id == "slack:leased"


@both_engines
async def test_housekeeping_forgets_old_handled_deliveries_and_keeps_the_rest(database: Database) -> None:
    now = utcnow()
    await store(database, "old-done", "old-parked", "new-done")
    async with database.transaction() as session:
        assert await claim_event(session, key="slack:event:old")
        assert await claim_event(session, key="slack:event:new")
        rows = {row.body: row for row in (await session.exec(select(InboxEvent))).all()}
        await inbox.finish(session, row_id=rows["old-done"].id or 0, now=now - timedelta(days=8))
        await inbox.fail(session, row_id=rows["old-parked"].id or 0, error="boom", retry_at=None)
        await inbox.finish(session, row_id=rows["new-done"].id or 0, now=now - timedelta(days=6))
        old = await session.get(ProcessedEvent, "slack:event:old")
        assert old is not None
        old.created_at = now - timedelta(days=8)
        session.add(old)
    done = await forget_handled(database, now=now, window=timedelta(days=7))
    assert (done.event_ids, done.inbox_rows) == (1, 1)
    async with database.sessions() as session:
        assert sorted(row.body for row in (await session.exec(select(InboxEvent))).all()) == ["new-done", "old-parked"]
        assert [row.key for row in (await session.exec(select(ProcessedEvent))).all()] == ["slack:event:new"]


def test_retries_back_off_from_two_seconds_to_five_minutes() -> None:
    assert [backoff(attempt).total_seconds() for attempt in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff(30) == timedelta(minutes=5)


async def test_the_hourly_housekeeping_job_runs_whatever_the_retention_settings(database: Database) -> None:
    policy = Policy()  # no retention configured
    async with database.transaction() as session:
        assert await claim_event(session, key="slack:event:ancient")
        old = await session.get(ProcessedEvent, "slack:event:ancient")
        assert old is not None
        old.created_at = utcnow() - timedelta(days=30)
        session.add(old)
    jobs = ScheduledJobs(database, SchedulerConfig(), policy, owner="test")
    assert await jobs.housekeeping() == 1
