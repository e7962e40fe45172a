"""Recording deliveries as sent a few at a time: one transaction for many rows instead of one per message.

At a few hundred messages a second, a commit per delivered message was most of the outbox worker's own cost (and
on SQLite each commit waits for the previous one). Marks are kept for a quarter of a second or 64 rows at most, and
the worker writes what is left at the end of each batch. A crash in between leaves those rows leased and unmarked:
they become *in doubt*, and a `RecoverableSender` (Slack) finds them already delivered instead of sending them again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from storage import outbox
from storage.db import Database

FLUSH_ROWS = 64
FLUSH_SECONDS = 0.25


class SentMarks:
    """Delivered rows waiting to be recorded as sent, written together."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock
        self._pending: list[tuple[int, str | None, datetime, bool]] = []
        self._oldest = 0.0

    async def add(self, message_id: int, ref: str | None, *, forget: bool = False) -> None:
        """Record `message_id` as delivered; written now when enough marks or time have gathered. `forget` deletes
        the row instead: what a sealed delivery leaves behind (its message's channel) would name its recipient."""
        if not self._pending:
            self._oldest = time.monotonic()
        self._pending.append((message_id, None if forget else ref, self.clock(), forget))
        if len(self._pending) >= FLUSH_ROWS or time.monotonic() - self._oldest >= FLUSH_SECONDS:
            await self.flush()

    async def flush(self) -> None:
        """Write every mark kept so far, in one transaction."""
        marks, self._pending = self._pending, []
        if not marks:
            return
        async with self.database.transaction() as session:
            await outbox.forget_delivered(session, [message_id for message_id, _, _, forget in marks if forget])
            await outbox.mark_sent(
                session, [(message_id, ref, when) for message_id, ref, when, forget in marks if not forget]
            )
