"""The server's stop leaves nothing running: a scheduled job under way finishes (its transaction commits) before the
database is closed, one that outlives the stop's grace is cancelled and rolled back, and no task the server started,
nor any SQLite connection thread, is left behind."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlmodel import select

from bot.app import build_app
from bot.config import Settings
from bot.runtime import open_runtime
from scheduler import stopping
from scheduler.jobs import ScheduledJobs
from storage.db import Database
from storage.models import Team
from tests.conftest import both_engines

# About a second of work inside one query: the stop must not cut it.
SLOW_QUERY = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) "
    "SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(0.5)",
}
TEAM = "Written by the reward job"


def database_threads(*, settle: float = 0.0) -> set[threading.Thread]:
    """aiosqlite's connection threads (each ends a moment after its connection closed, hence `settle`): one still
    alive once the database is closed runs a query nobody awaits."""
    threads = {thread for thread in threading.enumerate() if "_connection_worker_thread" in thread.name}
    for thread in threads:
        thread.join(timeout=settle)
    return {thread for thread in threads if thread.is_alive()}


def a_job_under_way(monkeypatch: pytest.MonkeyPatch, work: Callable[[Database], object]) -> asyncio.Event:
    """The minute reward job replaced by `work` inside a transaction that writes a team; set once it has begun."""
    started = asyncio.Event()

    async def rewards(self: ScheduledJobs, now: datetime | None = None) -> int:
        async with self.database.transaction() as session:
            session.add(Team(name=TEAM))
            await session.flush()
            started.set()
            await work(self.database)  # type: ignore[misc]
        return 1

    async def idle(self: ScheduledJobs, now: datetime | None = None) -> int:
        return 0

    for name in ("tick", "retention", "housekeeping", "kudos_summary"):
        monkeypatch.setattr(ScheduledJobs, name, idle)
    monkeypatch.setattr(ScheduledJobs, "rewards", rewards)
    return started


async def teams_written(settings: Settings) -> int:
    database = Database(settings.database_url)
    try:
        async with database.sessions() as session:
            return len((await session.exec(select(Team).where(Team.name == TEAM))).all())
    finally:
        await database.dispose()


async def serve_until(settings: Settings, started: asyncio.Event) -> None:
    """The server, stopped as soon as the job has begun; then the runtime closes its database (a stop that hangs
    fails the test)."""
    async with asyncio.timeout(60):
        async with open_runtime(settings) as runtime, TestClient(TestServer(build_app(runtime))) as client:
            await asyncio.wait_for(started.wait(), timeout=10)
            assert (await client.get("/healthz")).status == 200


@both_engines
async def test_a_job_under_way_when_the_server_stops_finishes_before_the_database_closes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = "sqlite" if settings.database_url.startswith("sqlite") else "postgresql"

    async def slow_query(database: Database) -> None:
        async with database.sessions() as session:
            await session.exec(text(SLOW_QUERY[engine]))  # type: ignore[call-overload]

    started = a_job_under_way(monkeypatch, slow_query)
    tasks, threads = asyncio.all_tasks(), database_threads()
    await serve_until(settings, started)
    left = {task for task in asyncio.all_tasks() - tasks if not task.done()}
    assert not left, f"still running after the server stopped: {left}"
    assert database_threads(settle=0.2) <= threads, "a database query outlived the database"
    assert await teams_written(settings) == 1  # the job was let finish: committed


@both_engines
async def test_a_job_outliving_the_stops_grace_is_cancelled_and_rolled_back(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def forever(_database: Database) -> None:
        await asyncio.sleep(3600)

    monkeypatch.setattr(stopping, "STOP_SECONDS", 0.2)
    started = a_job_under_way(monkeypatch, forever)
    tasks = asyncio.all_tasks()
    await serve_until(settings, started)
    left = {task for task in asyncio.all_tasks() - tasks if not task.done()}
    assert not left, f"still running after the server stopped: {left}"
    assert await teams_written(settings) == 0  # cut mid-transaction: nothing of it committed
