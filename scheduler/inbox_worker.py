"""Processes the events inbox: claims stored deliveries, runs each through its platform's event handler, retries.

The request path only stores a delivery (`bot.inbox_intake`) and answers; everything that can fail or take
time happens here, where a failure is retried with backoff instead of being lost. A row that fails `max_attempts`
times is parked with its error (`bravo status`, `/metrics`, `bravo inbox replay`); the others go on. A row is
processed at least once; the handlers make that exactly once, since each claims the delivery's event id in the
transaction of its work. A restart on the same machine takes back its dead predecessor's leases at once.

A platform's processor may take a claimed batch at once (`BatchProcessor`): Slack's gives the batch's reactions and
emoji messages in one transaction and says, per row, whether it is done or failed, so a bad row fails alone. The rows
done are finished in one statement. While many rows wait, each claim takes more (up to `MAX_BATCH`), so a burst
costs a few transactions rather than one per delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from scheduler.leases import LeaseOwner, is_gone, this_process
from storage import inbox
from storage.db import Database
from storage.models.base import utcnow
from storage.models.inbox import InboxEvent

log = logging.getLogger(__name__)


@runtime_checkable
class BatchProcessor(Protocol):
    """Processes many stored deliveries at once; per body, None when done or the error to retry it with."""

    async def process_many(self, bodies: Sequence[str]) -> Sequence[Exception | None]: ...


# Processes one stored delivery (its body as received); raising means "try again later". Or a `BatchProcessor`.
EventProcessor = Callable[[str], Awaitable[None]] | BatchProcessor
DEFAULT_MAX_ATTEMPTS = 5
# Events processed at once per process: enough to keep up with bursts, few enough that the requests being answered
# meanwhile (slash commands must be answered within 3 s) keep their share of the event loop and of the connections.
DEFAULT_CONCURRENCY = 4
DEFAULT_BATCH = 16
# The most rows one claim takes while many wait. Bigger batches cost fewer transactions, but deciding a batch's
# kudos holds the event loop between its statements, and acknowledgements wait meanwhile: this many keeps it short.
MAX_BATCH = 250
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
        batch_size: int = DEFAULT_BATCH,
        max_batch: int = MAX_BATCH,
        concurrency: int = DEFAULT_CONCURRENCY,
        clock: Callable[[], datetime] = utcnow,
        owner: LeaseOwner | None = None,
    ) -> None:
        self.database = database
        self.processors = dict(processors)
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.max_batch = max(batch_size, max_batch)
        self._limit = batch_size
        self.clock = clock
        self.owner = owner or this_process()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._stopping = False
        self._backlog = False

    def backlogged(self) -> bool:
        """True while deliveries arrive faster than a trickle (the last claim took a batch's worth): the outbox
        worker of this process holds its notifications meanwhile, so acknowledged kudos are counted first."""
        return self._backlog and not self._stopping

    def wake(self) -> None:
        """Process soon: called once a delivery is stored."""
        self._wake.set()

    def stop(self) -> None:
        """End `run_forever` after the current pass, even if a library swallowed the task's cancellation."""
        self._stopping = True
        self._wake.set()

    async def drain_once(self) -> int:
        """Claim and process one batch of due rows; how many were claimed. A full claim doubles the next one (up to
        `max_batch`): rows are waiting."""
        limit = self._limit
        async with self.database.transaction() as session:
            rows = await inbox.claim(session, now=self.clock(), lease=LEASE, owner=str(self.owner), limit=limit)
        self._limit = min(self.max_batch, limit * 2) if len(rows) == limit else self.batch_size
        self._backlog = len(rows) >= self.batch_size
        by_platform: dict[str, list[InboxEvent]] = {}
        for row in rows:
            by_platform.setdefault(row.platform, []).append(row)
        outcomes = await asyncio.gather(*(self._process_rows(name, group) for name, group in by_platform.items()))
        done = [row.id or 0 for group in outcomes for row, error in group if error is None]
        if done:
            async with self.database.transaction() as session:
                await inbox.finish_many(session, row_ids=done, now=self.clock())
        for group in outcomes:
            for row, error in group:
                if error is not None:
                    await self._failed(row, error)
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

    async def _process_rows(self, platform: str, rows: list[InboxEvent]) -> list[tuple[InboxEvent, Exception | None]]:
        """Each row with its outcome: None when processed, else the error to record."""
        processor = self.processors.get(platform)
        if isinstance(processor, BatchProcessor):
            try:
                async with asyncio.timeout(PROCESS_TIMEOUT_SECONDS):
                    errors = list(await processor.process_many([row.body for row in rows]))
            except Exception as error:  # noqa: BLE001 - every row of the batch is tried again
                errors = [error] * len(rows)
            return list(zip(rows, errors, strict=True))
        return list(zip(rows, await asyncio.gather(*(self._process(processor, row) for row in rows)), strict=True))

    async def _process(self, processor: EventProcessor | None, row: InboxEvent) -> Exception | None:
        async with self._slots:
            try:
                if processor is None:
                    raise LookupError(f"no processor for {row.platform} events")
                assert not isinstance(processor, BatchProcessor)
                await asyncio.wait_for(processor(row.body), timeout=PROCESS_TIMEOUT_SECONDS)
            except Exception as error:  # noqa: BLE001 - recorded on the row and retried, or parked
                return error
        return None

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
