"""Building the AsyncIOScheduler from configuration: fixed job ids, time-zone aware cron triggers.

Jobs are rebuilt at every start (`replace_existing=True`, memory job store): APScheduler 3 cannot share a job
store between processes, and does not need to, because exactly-once comes from the database claims.

APScheduler's own shutdown cancels the jobs under way at once, in the middle of a query: the database driver is then
closed behind the program's back (an SQLite connection thread still running after the database was disposed).
`Scheduler.stop` lets them finish first, and cancels (then awaits) only what outlives its grace.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.config import SchedulerConfig
from scheduler.housekeeping import HOUSEKEEPING_JOB
from scheduler.jobs import ScheduledJobs
from scheduler.schedules import zone_named
from scheduler.stopping import end_tasks

TICK_JOB = "bravo.tick"
LEADERBOARD_JOB = "bravo.leaderboard"
PULSE_JOB = "bravo.pulses"
PULSE_SECONDS = 60
RETENTION_JOB = "bravo.retention"
# Hourly looks, one run a day: the day's claim turns the other looks (and other replicas) into no-ops.
RETENTION_SECONDS = 3600
SUMMARY_JOB = "bravo.kudos_summary"
# A closed day joins the summary within minutes; a look with nothing to add costs a few small queries.
SUMMARY_SECONDS = 600
REWARDS_JOB = "bravo.rewards"
# A goal reached is celebrated within about a minute; a look after a quiet minute is one empty index range.
REWARDS_SECONDS = 60


class JobRuns(AsyncIOExecutor):  # type: ignore[misc]  # APScheduler 3 has no type hints
    """APScheduler's asyncio executor, whose runs under way can be awaited."""

    def under_way(self) -> set[asyncio.Future[object]]:
        return {future for future in self._pending_futures if not future.done()}


class Scheduler(AsyncIOScheduler):  # type: ignore[misc]
    """An AsyncIOScheduler that stops without cutting its jobs short."""

    def __init__(self, **options: object) -> None:
        self.runs = JobRuns()
        super().__init__(executors={"default": self.runs}, **options)

    async def stop(self, grace: float | None = None) -> None:
        """Start no more runs; let those under way end within `grace` seconds (their transactions commit), cancel
        what is left and wait for it to roll back and end (`scheduler.stopping`); then shut down."""
        self.pause()
        await end_tasks(self.runs.under_way(), what="scheduled jobs", grace=grace)
        self.shutdown(wait=False)


def build_scheduler(jobs: ScheduledJobs, config: SchedulerConfig, *, first_tick: datetime | None = None) -> Scheduler:
    """A scheduler (not started) with the tick, the leaderboard cron job, the pulse, retention, housekeeping,
    summary and reward goal jobs.

    The tick runs once at start (`first_tick`, default now) so a downtime is caught up at once.
    """
    zone = zone_named(config.timezone, ZoneInfo("UTC"))
    grace = int(config.grace.total_seconds())
    scheduler = Scheduler(timezone=zone, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
    scheduler.add_job(
        jobs.tick,
        IntervalTrigger(seconds=config.tick_seconds, timezone=zone),
        id=TICK_JOB,
        name="digests and catch-up",
        replace_existing=True,
        next_run_time=first_tick or datetime.now(zone),
    )
    if config.leaderboard is not None:
        scheduler.add_job(
            jobs.leaderboard,
            config.leaderboard.trigger(zone),
            id=LEADERBOARD_JOB,
            name="collective reward leaderboard",
            replace_existing=True,
            misfire_grace_time=grace,
        )
    scheduler.add_job(
        jobs.pulses,
        IntervalTrigger(seconds=PULSE_SECONDS, timezone=zone),
        id=PULSE_JOB,
        name="pulse checks",
        replace_existing=True,
    )
    start = first_tick or datetime.now(zone)
    periodic = (
        (jobs.retention, RETENTION_SECONDS, RETENTION_JOB, "retention of kudos reasons and pulse comments"),
        (jobs.housekeeping, RETENTION_SECONDS, HOUSEKEEPING_JOB, "forget handled event ids and processed inbox rows"),
        (jobs.kudos_summary, SUMMARY_SECONDS, SUMMARY_JOB, "kudos summary for the leaderboards"),
        (jobs.rewards, REWARDS_SECONDS, REWARDS_JOB, "celebrate the reward goals reached"),
    )
    for function, seconds, job_id, name in periodic:
        scheduler.add_job(
            function,
            IntervalTrigger(seconds=seconds, timezone=zone),
            id=job_id,
            name=name,
            replace_existing=True,
            next_run_time=start,
        )
    return scheduler
