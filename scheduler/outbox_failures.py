"""What the outbox worker records when a delivery fails: retry later with backoff, defer a row in doubt, hold it
until the token is fixed, or give it up. A sealed row's failures are recorded without the platform's reason, which
can name its recipient.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from scheduler import sealed_rows
from scheduler.sending import DeliveryError
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger("scheduler.outbox_worker")

MAX_ATTEMPTS = 8
# Transient failures are retried for this long at least (backoff caps at 15 minutes), so a platform outage of a few
# hours delays pulses and digests instead of losing them.
RETRY_WINDOW = timedelta(hours=24)
# When the platform cannot say yet whether a row in doubt was delivered (and gives no Retry-After), ask again after.
RECHECK_SECONDS = 30.0
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 15 * 60.0


def backoff(attempts: int) -> float:
    """Exponential backoff between attempts, capped at 15 minutes."""
    return float(min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts)))


class Failures:
    """Records failed deliveries for one worker (its database and its clock)."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    async def defer(self, row: OutboxMessage, error: DeliveryError) -> None:
        """Nothing sent and no attempt counted: the row is looked for again later (a platform outage never turns a
        row in doubt into a failure)."""
        assert row.id is not None
        delay = error.retry_after if error.retry_after is not None else RECHECK_SECONDS
        reason = sealed_rows.reason(row, error)
        log.info("delivery %s (%s) in doubt, checked again in %.0fs: %s", row.id, row.kind, delay, reason)
        async with self.database.transaction() as session:
            until = self.clock() + timedelta(seconds=delay)
            await outbox.defer(session, message_id=row.id, until=until, error=reason)

    def _gave_up(self, row: OutboxMessage) -> bool:
        """A transient failure ends the row only after MAX_ATTEMPTS tries spread over at least RETRY_WINDOW."""
        return row.attempts + 1 >= MAX_ATTEMPTS and self.clock() - row.created_at >= RETRY_WINDOW

    async def record(self, row: OutboxMessage, error: DeliveryError) -> None:
        """Retry later or give up; a failure without a clear refusal (no Retry-After) may have delivered it."""
        assert row.id is not None
        reason = sealed_rows.reason(row, error)
        async with self.database.transaction() as session:
            if error.held:
                log.warning("delivery %s (%s) held until `bravo outbox retry`: %s", row.id, row.kind, reason)
                await outbox.mark_held(session, message_id=row.id, error=reason)
                return
            if error.permanent or self._gave_up(row):
                log.warning("delivery %s (%s) failed for good: %s", row.id, row.kind, reason)
                await outbox.mark_failed(session, message_id=row.id, error=reason)
                return
            delay = error.retry_after if error.retry_after is not None else backoff(row.attempts)
            log.info("delivery %s (%s) retried in %.0fs: %s", row.id, row.kind, delay, reason)
            await outbox.mark_retry(
                session,
                message_id=row.id,
                next_attempt_at=self.clock() + timedelta(seconds=delay),
                error=reason,
                in_doubt=error.retry_after is None,
            )
