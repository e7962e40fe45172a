"""Drains the outbox: delivers each due row through its platform's sender, paced, retrying with backoff.

Exactly once where the platform allows it: a row whose earlier attempt may have reached the platform (its lease ran
out unmarked after a crash, or an attempt failed without a clear refusal: a timeout, a server error) is *in doubt*; a
`RecoverableSender` is asked whether the message is already there before it is sent again. Other senders send it
again (at least once). A refusal that says "later" (a rate limit, with Retry-After) leaves no doubt.
A restart on the same machine takes back the leases of its dead predecessor at once (`scheduler.leases`).
Sealed rows are opened in memory as they are sent, and deleted once delivered (`scheduler.sealed_rows`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial

from handlers.messages import Card
from handlers.pulse import MissingSecretKey, with_ballots
from scheduler import sealed_rows
from scheduler.in_doubt import already_delivered
from scheduler.leases import LeaseOwner, is_gone, this_process
from scheduler.outbox_failures import Failures
from scheduler.pacing import Departure, Departures, Pacer
from scheduler.priority import incoming_first
from scheduler.sending import DeliveryError, Destination, RecoverableSender, Sender, address_for, workspace_of
from scheduler.sent_marks import SentMarks
from storage import outbox
from storage import people as people_store
from storage import schedule as schedule_store
from storage.db import Database
from storage.models import OutboxMessage, Person
from storage.models.base import utcnow
from storage.outbox import Claimed

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
# One send may take this long at most, so that with the pacing wait it always ends within its lease: a second
# worker never takes a row whose first send may still be on its way.
SEND_TIMEOUT_SECONDS = 60.0
# How often a worker looks for leases held by dead processes on its machine (and always on its first drain).
RECOVERY_INTERVAL_SECONDS = 30.0
# A delivery waits this long at most for its pacing slot; later slots give the row back until then, so a paused
# destination never holds up a batch (nor outlives the row's lease).
MAX_PACING_WAIT_SECONDS = 5.0
# A batch holds at least what the pacer lets out in this long (at most MAX_BATCH rows): at hundreds a second, a batch
# of 50 would spend a good share of the time claiming instead of sending.
BATCH_SECONDS = 1.0
MAX_BATCH = 1000


class OutboxWorker:
    """One worker per process; leases keep two replicas from delivering the same row, the pacer keeps the pace.

    The default pacer reads the worker's `clock`, so the time that schedules retries also spaces deliveries.
    `secret_key` makes the pulse ballots a message to a person carries: added as it is sent, never stored
    (`handlers.pulse.with_ballots`)."""

    def __init__(
        self,
        database: Database,
        senders: Mapping[str, Sender],
        *,
        batch_size: int = 50,
        clock: Callable[[], datetime] = utcnow,
        pacer: Pacer | None = None,
        owner: LeaseOwner | None = None,
        secret_key: str = "",
    ) -> None:
        self.database = database
        self.secret_key = secret_key
        self.senders = dict(senders)
        self.batch_size = batch_size
        self.clock = clock
        self.pacer = pacer or Pacer(monotonic=lambda: self.clock().timestamp())
        self.owner = owner or this_process()
        self.sent = SentMarks(database, clock)
        self.failures = Failures(database, lambda: self.clock())
        self._wake = asyncio.Event()
        self._next_recovery = 0.0
        self._stopping = False
        # Incoming work of this process that goes first (the inbox worker's backlog, a burst of commands).
        self.incoming: list[Callable[[], bool]] = []

    def wake(self) -> None:
        """Deliver soon: called after a request queued something."""
        self._wake.set()

    async def __aenter__(self) -> OutboxWorker:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close what senders keep open between deliveries (pooled connections): at shutdown, or after a one-shot."""
        for sender in self.senders.values():
            if (close := getattr(sender, "aclose", None)) is not None:
                await close()

    def stop(self) -> None:
        """End `run_forever` once the batch under way is delivered and recorded (cancel the task not to wait)."""
        self._stopping = True
        self._wake.set()

    async def drain_once(self) -> int:
        """Deliver every row due now; returns how many rows were attempted."""
        attempted, sending = await self._start_batch()
        await sending
        return attempted

    async def _start_batch(self) -> tuple[int, asyncio.Future[None]]:
        """Claim a batch and start delivering it; returns once each of its rows has left the pacer's queue (sent, or
        given back for later), with what completes when every delivery has ended and been recorded.

        `run_forever` claims the next batch then, while the last answers are still on their way: waiting for them
        (and for a Teams 429 retried in place) left the platform idle between batches.
        """
        if not self.senders:
            return 0, asyncio.ensure_future(asyncio.sleep(0))
        await self._recover_dead_leases()
        async with self.database.transaction() as session:
            claimed = await outbox.claim_batch(
                session,
                now=self.clock(),
                limit=self._batch_limit(),
                lease=LEASE,
                platforms=tuple(self.senders),
                owner=str(self.owner),
            )
            # The batch's people in one query: a query per row kept the pacer idle while a batch was being set up.
            recipients = [sealed_rows.recipient(self.secret_key, item.message) for item in claimed]
            ids = sorted({person_id for person_id in recipients if person_id})
            people = {person.id: person for person in await people_store.people_by_ids(session, ids=ids)}
        deadline = self.pacer.monotonic() + MAX_PACING_WAIT_SECONDS
        departures = Departures(len(claimed))
        deliveries = [
            departures.track(
                partial(self._deliver, item.message, deadline, in_doubt=item.in_doubt, person=people.get(to))
            )
            for item, to in zip(claimed, recipients, strict=True)
        ]
        sending = asyncio.ensure_future(self._finish(claimed, deliveries))
        await asyncio.wait({sending, asyncio.ensure_future(departures.all_left())}, return_when=asyncio.FIRST_COMPLETED)
        return len(claimed), sending

    async def _finish(self, claimed: list[Claimed], deliveries: Sequence[Awaitable[str | None]]) -> None:
        """Wait for a batch's deliveries, record them, and give back the rows the pacer had no slot for."""
        refused = await asyncio.gather(*deliveries)
        await self.sent.flush()
        await self._postpone([(item.message, key) for item, key in zip(claimed, refused, strict=True) if key])
        self.pacer.forget_idle()

    def _batch_limit(self) -> int:
        """`batch_size`, or more when the platforms currently accept more than that in BATCH_SECONDS."""
        rate = sum(self.pacer.rate(platform, workspace_of(sender)) for platform, sender in self.senders.items())
        return max(self.batch_size, min(MAX_BATCH, int(rate * BATCH_SECONDS)))

    async def _recover_dead_leases(self) -> None:
        """End the leases of dead processes on this machine (a crash just before this restart), now and then."""
        if time.monotonic() < self._next_recovery:
            return
        self._next_recovery = time.monotonic() + RECOVERY_INTERVAL_SECONDS
        async with self.database.transaction() as session:
            now = self.clock()
            for text in await outbox.lease_holders(session, now=now, scope=self.owner.scope):
                holder = LeaseOwner.parse(text)
                if holder is not None and is_gone(holder, self.owner):
                    released = await outbox.release_leases(session, owner=text, now=now)
                    log.warning("took back %d deliveries leased by %s, which is no longer running", released, text)

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
                due = await outbox.next_due_at(session, platforms=tuple(self.senders), now=self.clock())
            if due is None:
                return total
            wait = (due - self.clock()).total_seconds()
            if wait > within:
                return total
            await asyncio.sleep(max(0.0, wait))
            total += await self.drain()

    async def run_forever(self, idle_seconds: float = 1.0) -> None:
        """Deliver until stopped; a batch is claimed as soon as the one before has left the pacer (two at most)."""
        sending: asyncio.Future[None] = asyncio.ensure_future(asyncio.sleep(0))
        try:
            while not self._stopping:
                self._wake.clear()  # before the pass: a row queued while it runs keeps its wake-up
                attempted, previous = 0, sending
                try:
                    await incoming_first(lambda: any(busy() for busy in self.incoming), stopping=lambda: self._stopping)
                    attempted, sending = await self._start_batch()
                    await previous
                except Exception:  # noqa: BLE001 - the worker must survive a database hiccup
                    log.exception("outbox drain failed")
                if not attempted:
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=idle_seconds)
                    except TimeoutError:
                        pass
        finally:
            try:  # a clean stop lets the deliveries under way end and be recorded as sent
                await asyncio.wait({sending}, timeout=None if self._stopping else 0)
            finally:
                sending.cancel()
                await asyncio.gather(sending, return_exceptions=True)

    async def _deliver(
        self, row: OutboxMessage, deadline: float, *, in_doubt: bool, person: Person | None, left: Departure
    ) -> str | None:
        """Send one row; when the pacer has no slot for it before `deadline`, return its pace key instead (`left` is
        told when the row leaves the pacer's queue)."""
        assert row.id is not None
        sender = self.senders[row.platform]
        person_id = sealed_rows.recipient(self.secret_key, row)
        if (unopened := sealed_rows.unopened(row, person_id)) is not None:
            await self.failures.record(row, unopened)
            return None
        destination = Destination.model_validate(
            {"platform": row.platform, "person_id": person_id, "channel": row.channel}
        )
        address = address_for(row.platform, person, row.channel)
        if in_doubt and isinstance(sender, RecoverableSender):
            try:
                found = await already_delivered(sender, row, destination, address, timeout=SEND_TIMEOUT_SECONDS)
            except DeliveryError as error:
                await (self.failures.record(row, error) if error.held else self.failures.defer(row, error))
                return None
            if found is not None:
                shown = sealed_rows.shown_ref(row, found)
                log.info("delivery %s (%s) had already reached %s before a restart", row.id, row.kind, shown)
                await self.sent.add(row.id, found, forget=bool(row.sealed_to))
                return None
        pace_key = address or f"person:{person_id}"
        workspace = workspace_of(sender)
        if not await self.pacer.acquire(row.platform, pace_key, workspace=workspace, deadline=deadline):
            return pace_key
        left.go()
        sent_at = self.pacer.monotonic()
        try:
            card = self._card(row)
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                if isinstance(sender, RecoverableSender):
                    ref = await sender.send(destination, card, address=address, marker=row.id)
                else:
                    ref = await sender.send(destination, card, address=address)
        except MissingSecretKey:
            missing = DeliveryError("BRAVO_SECRET_KEY is not set: pulse ballots cannot be made", permanent=True)
            await self.failures.record(row, missing)
            return None
        except DeliveryError as error:
            if error.retry_after is not None:
                self.pacer.refused(row.platform, pace_key, error.retry_after, sent_at=sent_at, workspace=workspace)
            await self.failures.record(row, error)
            return None
        except TimeoutError:
            await self.failures.record(row, DeliveryError(f"no answer in {SEND_TIMEOUT_SECONDS:.0f}s", permanent=False))
            return None
        except Exception as error:  # noqa: BLE001 - an unexpected failure is retried, not lost
            log.exception("delivery %s crashed", row.id)
            await self.failures.record(row, DeliveryError(repr(error)[:300], permanent=False))
            return None
        self.pacer.delivered(row.platform, workspace)
        await self.sent.add(row.id, ref, forget=bool(row.sealed_to))
        return None

    def _card(self, row: OutboxMessage) -> Card:
        """The row's card as its reader gets it: with their pulse ballots when it is a message to a person."""
        card = sealed_rows.card(self.secret_key, row)
        if row.person_id is None:
            return card
        return with_ballots(card, person_id=row.person_id, secret=self.secret_key)

    async def _postpone(self, refused: list[tuple[OutboxMessage, str]]) -> None:
        """Give back the rows the pacer had no slot for, each due again about when its turn comes (1 s at least)."""
        if not refused:
            return
        now, monotonic = self.clock(), self.pacer.monotonic()
        until: dict[int, datetime] = {}
        for platform in dict.fromkeys(row.platform for row, _ in refused):
            rows = [(row, key) for row, key in refused if row.platform == platform]
            slots = self.pacer.projected(platform, [key for _, key in rows], workspace_of(self.senders[platform]))
            for (row, _), slot in zip(rows, slots, strict=True):
                until[row.id or 0] = now + timedelta(seconds=max(1.0, slot - monotonic))
        async with self.database.transaction() as session:
            await schedule_store.postpone_deliveries(session, until=until)
