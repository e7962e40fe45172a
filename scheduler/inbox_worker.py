"""Processes the events inbox: claims stored deliveries, runs each through its platform's event handler, retries.

The request path only stores a delivery (`bot.inbox_intake`) and answers; everything that can fail or take
time happens here, where a failure is retried with backoff instead of being lost. A row that fails `max_attempts`
times is parked with its error (`bravo status`, `/metrics`, `bravo inbox replay`); the others go on. A row is
processed at least once; the handlers make that exactly once, since each claims the delivery's event id in the
transaction of its work. A restart on the same machine takes back its dead predecessor's leases at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from scheduler.leases import LeaseOwner, is_gone, this_process
from storage import inbox
from storage.db import Database
from storage.models.base import utcnow
from storage.models.inbox import InboxEvent

log = logging.getLogger(__name__)

# Processes one stored delivery (its body as received); raising means "try again later".
EventProcessor = Callable[[str], Awaitable[None]]
DEFAULT_MAX_ATTEMPTS = 5
# Events processed at once per process: enough to keep up with bursts, few enough that the requests being answered
# meanwhile (slash commands must be answered within 3 s) keep their share of the event loop and of the connections.
DEFAULT_CONCURRENCY = 4
# One event's processing (a transaction and a few Web API calls) ends well within this; a worker that dies holding
# a row gives it back when the lease ends (at once to a restart on the same machine).
LEASE = timedelta(minutes=2)
PROCESS_TIMEOUT_SECONDS = 60.0
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 5 * 60.0


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s… after each failed attempt, capped at 5 minutes."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


class InboxWorker:
    """Claims due rows in batches and processes them concurrently; one per process, replicas welcome."""

    def __init__(
        self,
        database: Database,
        processors: Mapping[str, EventProcessor],
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        batch_size: int = 16,
        concurrency: int = DEFAULT_CONCURRENCY,
        clock: Callable[[], datetime] = utcnow,
        owner: LeaseOwner | None = None,
    ) -> None:
        self.database = database
        self.processors = dict(processors)
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.clock = clock
        self.owner = owner or this_process()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._stopping = False

    def wake(self) -> None:
        """Process soon: called once a delivery is stored."""
        self._wake.set()

    def stop(self) -> None:
        """End `run_forever` after the current pass, even if a library swallowed the task's cancellation."""
        self._stopping = True
        self._wake.set()

    async def drain_once(self) -> int:
        """Claim and process one batch of due rows; how many were claimed."""
        async with self.database.transaction() as session:
            rows = await inbox.claim(
                session, now=self.clock(), lease=LEASE, owner=str(self.owner), limit=self.batch_size
            )
        await asyncio.gather(*(self._process(row) for row in rows))
        return len(rows)

    async def drain(self) -> int:
        """Process every row due now (tests, one-shot tools); how many attempts were made."""
        total = 0
        while count := await self.drain_once():
            total += count
        return total

    async def run_forever(self, idle_seconds: float = 5.0) -> None:
        """Process until cancelled: woken by new deliveries, else at the next retry or lease end, else every
        `idle_seconds` (another replica may have stored something)."""
        await self.recover_dead_leases()
        try:
            while not self._stopping:
                # Cleared before the pass, not after: a delivery stored while it runs keeps its wake-up.
                self._wake.clear()
                try:
                    if await self.drain_once() and not self._stopping:
                        continue
                    wait = await self._idle_wait(idle_seconds)
                except Exception:  # noqa: BLE001 - the database may be down for a while; keep trying
                    log.exception("inbox worker: pass failed; trying again shortly")
                    wait = idle_seconds
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)
        finally:
            await self._release_own_leases()

    async def recover_dead_leases(self) -> int:
        """Give back at once the rows leased by processes of this machine that are certainly gone."""
        async with self.database.transaction() as session:
            now = self.clock()
            holders = await inbox.lease_holders(session, now=now, scope=self.owner.scope)
            dead = [text for text in holders if (owner := LeaseOwner.parse(text)) and is_gone(owner, self.owner)]
            return await inbox.release(session, owners=dead, now=now)

    async def _idle_wait(self, idle_seconds: float) -> float:
        async with self.database.sessions() as session:
            now = self.clock()
            due = await inbox.next_due_at(session, now=now)
        if due is None:
            return idle_seconds
        return min(idle_seconds, max(0.05, (due - now).total_seconds()))

    async def _release_own_leases(self) -> None:
        """On a clean stop, rows being processed are given back for the next start (or another replica)."""
        with contextlib.suppress(Exception):
            async with self.database.transaction() as session:
                await inbox.release(session, owners=[str(self.owner)], now=self.clock())

    async def _process(self, row: InboxEvent) -> None:
        async with self._slots:
            await self._process_one(row)

    async def _process_one(self, row: InboxEvent) -> None:
        processor = self.processors.get(row.platform)
        try:
            if processor is None:
                raise LookupError(f"no processor for {row.platform} events")
            await asyncio.wait_for(processor(row.body), timeout=PROCESS_TIMEOUT_SECONDS)
        except Exception as error:  # noqa: BLE001 - recorded on the row and retried, or parked
            await self._failed(row, error)
            return
        async with self.database.transaction() as session:
            await inbox.finish(session, row_id=row.id or 0, now=self.clock())

    async def _failed(self, row: InboxEvent, error: Exception) -> None:
        attempts = row.attempts + 1
        text = f"{type(error).__name__}: {error}"
        retry_at = None if attempts >= self.max_attempts else self.clock() + backoff(attempts)
        if retry_at is None:
            log.error("inbox: delivery %s parked after %d attempts: %s", row.delivery_id, attempts, text)
        else:
            log.warning("inbox: delivery %s failed (attempt %d): %s", row.delivery_id, attempts, text)
        async with self.database.transaction() as session:
            await inbox.fail(session, row_id=row.id or 0, error=text, retry_at=retry_at)
