"""The kudos summary job: registered with the others, idempotent, safe on two replicas, and reported when it fails."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from handlers.kudos.leaderboard import PERIODS, build_leaderboard
from handlers.policy import Policy
from scheduler import jobs as jobs_module
from scheduler.jobs import ScheduledJobs
from scheduler.service import SUMMARY_JOB, SUMMARY_SECONDS, build_scheduler
from storage.db import Database
from storage.kudos import summary as summary_store
from tests.conftest import both_engines
from tests.scheduler.support import config, give, seed

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)
PARIS_POLICY = Policy(timezone="Europe/Paris")


async def seed_kudos(database: Database) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        for days in (0, 1, 2, 9, 40, 100):
            at = NOW - timedelta(days=days, hours=1)
            await give(session, org["Bob"], [org["Claire"], org["David"]], at=at, points=2, message=f"day {days}")
            await give(session, org["Grace"], [org["Hugo"], org["Bob"]], at=at, points=1, message=f"day {days}")


async def boards(database: Database) -> list[tuple[object, ...]]:
    found = []
    async with database.sessions() as session:
        for period in PERIODS:
            board = await build_leaderboard(session, PARIS_POLICY, period=period, now=NOW, limit=None)
            found.append((period, [(t.name, t.points, t.kudos) for t in board.teams]))
            found.append((period, sorted((p.person.display_name, p.points, p.kudos) for p in board.people)))
    return found


def summary_jobs(database: Database, **options: object) -> ScheduledJobs:
    return ScheduledJobs(database, config(), PARIS_POLICY, owner="test", **options)  # type: ignore[arg-type]


def test_the_summary_job_is_registered_and_runs_at_start(policy: Policy) -> None:
    jobs = summary_jobs(Database("sqlite+aiosqlite:///:memory:"))
    started = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    job = build_scheduler(jobs, jobs.config, first_tick=started).get_job(SUMMARY_JOB)
    assert job is not None and isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(seconds=SUMMARY_SECONDS)
    assert job.next_run_time == started


async def test_the_job_summarises_closed_days_once_and_the_leaderboards_stay_the_same(database: Database) -> None:
    await seed_kudos(database)
    before = await boards(database)
    runs: list[tuple[str, str]] = []
    jobs = summary_jobs(database, on_run=lambda job, outcome: runs.append((job, outcome)))
    assert await jobs.kudos_summary(NOW) == 100  # days from the oldest kudos' day (Paris) to today
    assert await jobs.kudos_summary(NOW) == 0
    assert await boards(database) == before
    assert runs == [("kudos_summary", "ok"), ("kudos_summary", "ok")]
    async with database.sessions() as session:
        state = await summary_store.summary_state(session)
    assert state is not None and state.zone == "Europe/Paris" and state.next_day == NOW.date()


@both_engines
async def test_two_replicas_running_the_job_at_once_summarise_each_day_once(database: Database) -> None:
    await seed_kudos(database)
    before = await boards(database)
    replica = Database(database.url.render_as_string(hide_password=False))
    try:
        done = await asyncio.gather(summary_jobs(database).kudos_summary(NOW), summary_jobs(replica).kudos_summary(NOW))
    finally:
        await replica.dispose()
    assert sum(done) == 100
    assert await boards(database) == before


async def test_a_failed_roll_up_is_reported_and_leaves_the_summary_as_it_was(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_kudos(database)
    runs: list[tuple[str, str]] = []

    async def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(jobs_module, "roll_up_summary", broken)
    assert await summary_jobs(database, on_run=lambda job, outcome: runs.append((job, outcome))).kudos_summary(NOW) == 0
    assert runs == [("kudos_summary", "failed")]
    async with database.sessions() as session:
        assert await summary_store.summary_state(session) is None
