"""The scheduler's jobs. Each takes `now` so tests drive them with a controlled clock; none trusts it alone.

APScheduler decides when a job runs; the claims decide whether anything is sent. So a job may run late, twice,
or on two replicas at once: the tick catches up what a downtime missed (within the grace window) and the claims
turn every extra run into a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import actions as actions_api
from handlers import pulse as pulse_api
from handlers.i18n import Translator
from handlers.policy import Policy
from handlers.retention import DONE, RETENTION_JOB, apply_retention, retention_enabled
from scheduler.config import SchedulerConfig
from scheduler.goals import GOALS_JOB, GoalWatch, celebrate_goals
from scheduler.housekeeping import HOUSEKEEPING_JOB, forget_handled
from scheduler.kudos_summary import SUMMARY_JOB, roll_up_summary
from scheduler.runs import post_leaderboard, process_owner, send_digests, settle_claims
from scheduler.schedules import zone_named
from storage import schedule as schedule_store
from storage.db import Database
from storage.models.base import utcnow
from storage.models.schedule import QUEUED

log = logging.getLogger(__name__)

JobHook = Callable[[str, str], None]
OK = "ok"
FAILED_RUN = "failed"
# The failures of the job run in progress (one list per asyncio task, so concurrent jobs never mix them up).
_failures: ContextVar[list[str] | None] = ContextVar("job_failures", default=None)


def _failed(step: str) -> None:
    """Note a failed step of the running job (already logged), so the run is reported as failed."""
    failures = _failures.get()
    if failures is not None:
        failures.append(step)


class ScheduledJobs:
    """The job functions APScheduler calls, bound to the database, the schedules and the policy."""

    def __init__(
        self,
        database: Database,
        config: SchedulerConfig,
        policy: Policy,
        *,
        on_queued: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
        owner: str | None = None,
        on_run: JobHook | None = None,
    ) -> None:
        """`on_run(job, outcome)` hears of every run (`ok` or `failed`): the metrics count them."""
        self.database = database
        self.config = config
        self.policy = policy
        self.on_queued = on_queued
        self.clock = clock
        self.owner = owner or process_owner()
        self.on_run = on_run
        self._plans_due = False  # a pulse closed and the team action plans are not opened yet
        self._goals = GoalWatch()

    @contextlib.asynccontextmanager
    async def _tracked(self, job: str) -> AsyncIterator[None]:
        failures: list[str] = []
        token = _failures.set(failures)
        cancelled = False
        try:
            yield
        except asyncio.CancelledError:
            cancelled = True  # the scheduler is shutting down: not a run
            raise
        except Exception:
            failures.append(job)
            raise
        finally:
            _failures.reset(token)
            if self.on_run is not None and not cancelled:
                self.on_run(job, FAILED_RUN if failures else OK)

    def _queued(self, count: int) -> None:
        if count and self.on_queued is not None:
            self.on_queued()

    async def tick(self, now: datetime | None = None) -> int:
        """Every minute: the digests whose local time has come, a missed leaderboard, and claim statuses."""
        async with self._tracked("tick"):
            return await self._tick(now or self.clock())

    async def _tick(self, moment: datetime) -> int:
        queued = 0
        try:
            outcomes = await send_digests(
                self.database, config=self.config, policy=self.policy, now=moment, owner=self.owner
            )
            queued += sum(1 for outcome in outcomes if outcome.status == QUEUED)
            self._queued(queued)
        except Exception:  # noqa: BLE001 - the next tick retries; nothing was claimed by a failed transaction
            log.exception("digest tick failed")
            _failed("digests")
        queued += await self._leaderboard(moment)
        try:
            await settle_claims(self.database, now=moment)
        except Exception:  # noqa: BLE001
            log.exception("settling scheduled posts failed")
            _failed("settle")
        return queued

    async def leaderboard(self, now: datetime | None = None) -> int:
        """Friday's collective reward leaderboard (the cron job, and the tick's catch-up)."""
        async with self._tracked("leaderboard"):
            return await self._leaderboard(now or self.clock())

    async def _leaderboard(self, moment: datetime) -> int:
        try:
            outcome = await post_leaderboard(
                self.database, config=self.config, policy=self.policy, now=moment, owner=self.owner
            )
        except Exception:  # noqa: BLE001
            log.exception("leaderboard failed")
            _failed("leaderboard")
            return 0
        queued = 1 if outcome is not None and outcome.status == QUEUED else 0
        self._queued(queued)
        return queued

    async def rewards(self, now: datetime | None = None) -> int:
        """Every minute: celebrate the reward goals that kudos just reached; returns how many."""
        async with self._tracked(GOALS_JOB):
            try:
                celebrated = await celebrate_goals(
                    self.database, policy=self.policy, watch=self._goals, now=now or self.clock(), owner=self.owner
                )
            except Exception:  # noqa: BLE001 - nothing was claimed by a failed transaction; the next look retries
                log.exception("reward goals look failed")
                _failed(GOALS_JOB)
                return 0
            self._queued(celebrated)
            return celebrated

    async def pulses(self, now: datetime | None = None) -> int:
        """Pulse checks: start due rounds, remind once, close ended windows (each idempotent in its own module)."""
        async with self._tracked("pulses"):
            return await self._pulses(now or self.clock())

    async def _pulses(self, moment: datetime) -> int:
        done = 0

        async def send(session: AsyncSession) -> int:
            return await pulse_api.send_due_pulses(session, policy=self.policy, now=moment)

        async def remind(session: AsyncSession) -> int:
            return await pulse_api.send_reminders(session, policy=self.policy, now=moment)

        closed = 0

        async def close(session: AsyncSession) -> int:
            nonlocal closed
            closed = await pulse_api.close_expired(session, now=moment)
            return closed

        async def plans(session: AsyncSession) -> int:
            """Team action plans opened when results come out (at the next run again if that failed)."""
            self._plans_due = self._plans_due or bool(closed)
            if not self._plans_due:
                return 0
            opened = await actions_api.open_plans(session, policy=self.policy, now=moment)
            self._plans_due = False
            return opened

        async def commitments(session: AsyncSession) -> int:
            """Votes on action plans decided when they end; owners reminded before the due date."""
            await actions_api.decide_due(session, policy=self.policy, now=moment)
            return await actions_api.send_reminders(session, policy=self.policy, now=moment, owner=self.owner)

        async def checkins(session: AsyncSession) -> int:
            """Done actions' check-ins asked when due, closed once answered, and their outcome told once."""
            asked = await actions_api.open_checkins(session, policy=self.policy, now=moment, owner=self.owner)
            await actions_api.close_checkins(session, now=moment)
            return asked + await actions_api.announce_checkins(session, policy=self.policy, now=moment)

        steps: tuple[tuple[str, Callable[[AsyncSession], Awaitable[int]]], ...] = (
            ("send pulses", send),
            ("remind", remind),
            ("close windows", close),
            ("action plans", plans),
            ("action commitments", commitments),
            ("action check-ins", checkins),
        )
        for name, step in steps:
            try:
                async with self.database.transaction() as session:
                    done += await step(session)
            except Exception:  # noqa: BLE001 - one failing step must not stop the others
                log.exception("pulse job %r failed", name)
                _failed(name)
        self._queued(done)
        return done

    async def retention(self, now: datetime | None = None) -> int:
        """Once a day: remove kudos reasons and pulse comments older than the retention limits.

        The day is claimed like a scheduled post, so one replica does it and `bravo status` shows when it last ran.
        """
        async with self._tracked(RETENTION_JOB):
            return await self._retention(now or self.clock())

    async def _retention(self, moment: datetime) -> int:
        if not retention_enabled(self.policy):
            return 0
        day = moment.astimezone(zone_named(self.config.timezone, ZoneInfo("UTC"))).date().isoformat()
        key = {"kind": RETENTION_JOB, "target": "all", "period": day}
        try:
            async with self.database.transaction() as session:
                if not await schedule_store.claim(session, **key, owner=self.owner, now=moment):
                    return 0
                report = await apply_retention(session, policy=self.policy, now=moment)
                summary = report.summary(Translator("en"))
                await schedule_store.finish(session, **key, status=DONE, deliveries=0, now=moment, detail=summary)
        except Exception:  # noqa: BLE001 - nothing was removed; the next run tries again
            log.exception("retention failed")
            _failed(RETENTION_JOB)
            return 0
        log.info("%s", summary)
        return report.kudos_reasons + report.comments + report.replies + report.deliveries

    async def housekeeping(self, now: datetime | None = None) -> int:
        """Hourly: forget handled event ids and processed inbox rows past their window; how many rows went."""
        async with self._tracked(HOUSEKEEPING_JOB):
            try:
                done = await forget_handled(
                    self.database, now=now or self.clock(), window=self.config.handled_events_window
                )
            except Exception:  # noqa: BLE001 - nothing was deleted; the next run tries again
                log.exception("housekeeping failed")
                _failed(HOUSEKEEPING_JOB)
                return 0
            return done.event_ids + done.inbox_rows

    async def kudos_summary(self, now: datetime | None = None) -> int:
        """Add the days that closed to the leaderboards' kudos summary; returns days added plus changes folded in."""
        async with self._tracked(SUMMARY_JOB):
            try:
                report = await roll_up_summary(self.database, policy=self.policy, now=now or self.clock())
            except Exception:  # noqa: BLE001 - the summary is left as it was; the next run starts from there
                log.exception("kudos summary roll-up failed")
                _failed(SUMMARY_JOB)
                return 0
            return report.days + report.changes
