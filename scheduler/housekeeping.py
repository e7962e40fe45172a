"""Housekeeping: forget what only guarded against redeliveries once no platform can redeliver it.

Handled event ids (the idempotency keys of Slack events, commands and Teams activities) and processed inbox rows
are deleted after a window (`BRAVO_HANDLED_EVENTS_DAYS`, 7 days by default), far longer than any platform's retry
window (Slack resends for about an hour). It runs whatever the retention settings: these tables would otherwise grow
with every delivery forever. Parked and pending inbox rows are never deleted: they still have work to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import inbox
from storage.db import Database
from storage.events import forget_events_before

HOUSEKEEPING_JOB = "bravo.housekeeping"
DEFAULT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Housekept:
    event_ids: int
    inbox_rows: int


async def forget_handled(database: Database, *, now: datetime, window: timedelta = DEFAULT_WINDOW) -> Housekept:
    """Delete handled event ids and processed inbox rows older than `window`; safe to run anywhere, any time."""
    cutoff = now - window
    async with database.transaction() as session:
        event_ids = await forget_events_before(session, cutoff=cutoff)
        inbox_rows = await inbox.forget_finished_before(session, cutoff=cutoff)
    return Housekept(event_ids=event_ids, inbox_rows=inbox_rows)
