"""Drains the outbox: delivers each due row through its platform's sender, paced, retrying with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from handlers.messages import Card, DeliveryError, Destination, Sender
from scheduler.pacing import Pacer
from storage import outbox
from storage import schedule as schedule_store
from storage.db import Database
from storage.models import OutboxMessage, Person
from storage.models.base import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
# A delivery waits this long at most for its pacing slot; later slots give the row back until then, so a paused
# destination never holds up a batch (nor outlives the row's lease).
MAX_PACING_WAIT_SECONDS = 5.0
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 15 * 60.0


def backoff(attempts: int) -> float:
    """Exponential backoff between attempts, capped at 15 minutes."""
    return float(min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts)))


def address_for(platform: str, person: Person | None, channel: str | None) -> str | None:
    """The platform's id for a delivery: a channel, else the person's id on that platform."""
    if channel:
        return channel
    if person is None:
        return None
    return {"slack": person.slack_id, "teams": person.teams_id}.get(platform) or str(person.id)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class OutboxWorker:
    """One worker per process; leases keep two replicas from delivering the same row, the pacer keeps the pace.

    The default pacer reads the worker's `clock`, so the time that schedules retries also spaces deliveries.
    """

    def __init__(
        self,
        database: Database,
        senders: Mapping[str, Sender],
        *,
        batch_size: int = 50,
        clock: Callable[[], datetime] = utcnow,
        pacer: Pacer | None = None,
    ) -> None:
        self.database = database
        self.senders = dict(senders)
        self.batch_size = batch_size
        self.clock = clock
        self.pacer = pacer or Pacer(monotonic=lambda: self.clock().timestamp())
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Deliver soon: called after a request queued something."""
        self._wake.set()

    async def drain_once(self) -> int:
        """Deliver every row due now; returns how many rows were attempted."""
        if not self.senders:
            return 0
        async with self.database.transaction() as session:
            rows = await outbox.claim_due(
                session, now=self.clock(), limit=self.batch_size, lease=LEASE, platforms=tuple(self.senders)
            )
        deadline = self.pacer.monotonic() + MAX_PACING_WAIT_SECONDS
        await asyncio.gather(*(self._deliver(row, deadline) for row in rows))
        self.pacer.forget_idle()
        return len(rows)

    async def drain(self) -> int:
        """Deliver until nothing is due now (used by one-shot CLI commands and tests)."""
        total = 0
        while attempted := await self.drain_once():
            total += attempted
        return total

    async def drain_pending(self, *, within: float) -> int:
        """Deliver everything pending, waiting for retries due in the next `within` seconds (CLI one-shots)."""
        total = await self.drain()
        while True:
            async with self.database.sessions() as session:
                due = await schedule_store.next_pending_at(session, platforms=tuple(self.senders))
            if due is None:
                return total
            wait = (_as_utc(due) - self.clock()).total_seconds()
            if wait > within:
                return total
            await asyncio.sleep(max(0.0, wait))
            total += await self.drain()

    async def run_forever(self, idle_seconds: float = 1.0) -> None:
        while True:
            try:
                attempted = await self.drain_once()
            except Exception:  # noqa: BLE001 - the worker must survive a database hiccup
                log.exception("outbox drain failed")
                attempted = 0
            if not attempted:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=idle_seconds)
                except TimeoutError:
                    pass

    async def _deliver(self, row: OutboxMessage, deadline: float) -> None:
        assert row.id is not None
        sender = self.senders[row.platform]
        async with self.database.sessions() as session:
            person = await session.get(Person, row.person_id) if row.person_id else None
        destination = Destination.model_validate(
            {"platform": row.platform, "person_id": row.person_id, "channel": row.channel}
        )
        address = address_for(row.platform, person, row.channel)
        pace_key = address or f"person:{row.person_id}"
        if not await self.pacer.acquire(row.platform, pace_key, deadline=deadline):
            await self._postpone(row, self.pacer.slot(row.platform, pace_key) - self.pacer.monotonic())
            return
        try:
            card = Card.model_validate_json(row.payload)
            ref = await sender.send(destination, card, address=address)
        except DeliveryError as error:
            if error.retry_after is not None:
                self.pacer.pause(row.platform, pace_key, error.retry_after)
            await self._record_failure(row, error)
            return
        except Exception as error:  # noqa: BLE001 - an unexpected failure is retried, not lost
            log.exception("delivery %s crashed", row.id)
            await self._record_failure(row, DeliveryError(repr(error)[:300], permanent=False))
            return
        async with self.database.transaction() as session:
            await outbox.mark_sent(session, message_id=row.id, now=self.clock(), ref=ref)

    async def _postpone(self, row: OutboxMessage, seconds: float) -> None:
        assert row.id is not None
        async with self.database.transaction() as session:
            until = self.clock() + timedelta(seconds=max(1.0, seconds))
            await schedule_store.postpone_delivery(session, message_id=row.id, until=until)

    async def _record_failure(self, row: OutboxMessage, error: DeliveryError) -> None:
        assert row.id is not None
        async with self.database.transaction() as session:
            if error.permanent or row.attempts + 1 >= MAX_ATTEMPTS:
                log.warning("delivery %s (%s) failed for good: %s", row.id, row.kind, error.reason)
                await outbox.mark_failed(session, message_id=row.id, error=error.reason)
                return
            delay = error.retry_after if error.retry_after is not None else backoff(row.attempts)
            log.info("delivery %s (%s) retried in %.0fs: %s", row.id, row.kind, delay, error.reason)
            await outbox.mark_retry(
                session,
                message_id=row.id,
                next_attempt_at=self.clock() + timedelta(seconds=delay),
                error=error.reason,
            )
