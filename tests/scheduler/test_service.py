"""The scheduler starts with the server, runs its first tick at once, runs the pulse use cases, and stops cleanly."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import build_app
from bot.config import Settings
from bot.runtime import open_runtime
from handlers.policy import Policy
from scheduler.jobs import ScheduledJobs
from scheduler.service import TICK_JOB, build_scheduler
from storage.db import Database
from storage.models import PulseRound
from tests.scheduler.support import config, seed_database


class RecordingJobs(ScheduledJobs):
    def __init__(self, database: Database, policy: Policy) -> None:
        super().__init__(database, config(), policy)
        self.ticked = asyncio.Event()

    async def tick(self, now: datetime | None = None) -> int:
        self.ticked.set()
        return 0


async def test_the_first_tick_runs_at_start_and_shutdown_waits_for_running_jobs(
    database: Database, policy: Policy
) -> None:
    jobs = RecordingJobs(database, policy)
    scheduler = build_scheduler(jobs, jobs.config)
    scheduler.start()
    try:
        await asyncio.wait_for(jobs.ticked.wait(), timeout=5)
        assert scheduler.get_job(TICK_JOB).next_run_time is not None
    finally:
        await scheduler.stop(grace=5)


async def test_the_server_starts_and_stops_the_scheduler(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    ticked = asyncio.Event()

    async def tick(self: ScheduledJobs, now: datetime | None = None) -> int:
        ticked.set()
        return 0

    monkeypatch.setattr(ScheduledJobs, "tick", tick)
    async with open_runtime(settings) as runtime, TestClient(TestServer(build_app(runtime))) as client:
        await asyncio.wait_for(ticked.wait(), timeout=5)
        assert (await client.get("/healthz")).status == 200


async def test_the_pulse_job_starts_due_rounds_once_and_closes_them_when_their_window_ends(
    database: Database, policy: Policy
) -> None:
    await seed_database(database)
    jobs = ScheduledJobs(database, config(), policy)
    tuesday_ten_paris = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # the first Engineering member's 10:00
    assert await jobs.pulses(tuesday_ten_paris) >= 1
    await jobs.pulses(tuesday_ten_paris)
    await jobs.pulses(datetime(2026, 3, 31, 14, 0, tzinfo=UTC))  # Sales: 10:00 in New York and Toronto
    async with database.sessions() as session:
        rounds = list((await session.exec(select(PulseRound))).all())
    assert len(rounds) == 2 and not any(pulse.closed for pulse in rounds)
    await jobs.pulses(datetime(2026, 4, 6, 8, 0, tzinfo=UTC))
    async with database.sessions() as session:
        rounds = list((await session.exec(select(PulseRound))).all())
    assert len(rounds) == 2 and all(pulse.closed for pulse in rounds)
