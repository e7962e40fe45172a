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
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import pulse_send as pulse_api
from handlers.policy import Policy
from scheduler.config import SchedulerConfig
from scheduler.runs import post_leaderboard, process_owner, send_digests, settle_claims
from storage.db import Database
from storage.models.base import utcnow
from storage.models.schedule import QUEUED

log = logging.getLogger(__name__)


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
    ) -> None:
        self.database = database
        self.config = config
        self.policy = policy
        self.on_queued = on_queued
        self.clock = clock
        self.owner = owner or process_owner()
        self._running: set[asyncio.Task[object]] = set()

    @contextlib.asynccontextmanager
    async def _tracked(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._running.discard(task)

    async def wait_stopped(self, timeout: float = 10.0) -> None:
        """After the scheduler's shutdown cancelled running jobs, wait for them to roll back and end."""
        if self._running:
            await asyncio.wait(list(self._running), timeout=timeout)

    def _queued(self, count: int) -> None:
        if count and self.on_queued is not None:
            self.on_queued()

    async def tick(self, now: datetime | None = None) -> int:
        """Every minute: the digests whose local time has come, a missed leaderboard, and claim statuses."""
        async with self._tracked():
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
        queued += await self._leaderboard(moment)
        try:
            await settle_claims(self.database, now=moment)
        except Exception:  # noqa: BLE001
            log.exception("settling scheduled posts failed")
        return queued

    async def leaderboard(self, now: datetime | None = None) -> int:
        """Friday's collective reward leaderboard (the cron job, and the tick's catch-up)."""
        async with self._tracked():
            return await self._leaderboard(now or self.clock())

    async def _leaderboard(self, moment: datetime) -> int:
        try:
            outcome = await post_leaderboard(
                self.database, config=self.config, policy=self.policy, now=moment, owner=self.owner
            )
        except Exception:  # noqa: BLE001
            log.exception("leaderboard failed")
            return 0
        queued = 1 if outcome is not None and outcome.status == QUEUED else 0
        self._queued(queued)
        return queued

    async def pulses(self, now: datetime | None = None) -> int:
        """Pulse checks: start due rounds, remind once, close ended windows (each idempotent in its own module)."""
        async with self._tracked():
            return await self._pulses(now or self.clock())

    async def _pulses(self, moment: datetime) -> int:
        done = 0

        async def send(session: AsyncSession) -> int:
            return await pulse_api.send_due_pulses(session, policy=self.policy, now=moment)

        async def remind(session: AsyncSession) -> int:
            return await pulse_api.send_reminders(session, policy=self.policy, now=moment)

        async def close(session: AsyncSession) -> int:
            return await pulse_api.close_expired(session, now=moment)

        steps: tuple[tuple[str, Callable[[AsyncSession], Awaitable[int]]], ...] = (
            ("send pulses", send),
            ("remind", remind),
            ("close windows", close),
        )
        for name, step in steps:
            try:
                async with self.database.transaction() as session:
                    done += await step(session)
            except Exception:  # noqa: BLE001 - one failing step must not stop the others
                log.exception("pulse job %r failed", name)
        self._queued(done)
        return done
