"""How background work ends when the server stops: let it finish, cancel only what outlives the grace.

Cancelling a task in the middle of a query closes the database driver's connection behind the program's back (with
SQLite, a connection thread still running once the database is disposed); a transaction cut that way rolls back,
but nothing waits for it. So a stop first lets the work under way end by itself (its transaction commits), then
cancels what is left and waits for it to roll back and end, each step bounded: a stop never hangs. The workers, the
scheduled jobs (`scheduler.service.Scheduler.stop`) and the server's background look-ups (`bot.stopping`) all end
this way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from typing import Any

log = logging.getLogger(__name__)
# How long a stop waits for background work to end by itself, then again for what it cancelled.
STOP_SECONDS = 10.0


async def end_tasks(tasks: Collection[asyncio.Future[Any]], *, what: str, grace: float | None = None) -> None:
    """Let `tasks` end within `grace` seconds (STOP_SECONDS by default); cancel the rest and wait as long again."""
    grace = STOP_SECONDS if grace is None else grace
    running = {task for task in tasks if not task.done()}
    if running:
        _, running = await asyncio.wait(running, timeout=grace)
    if not running:
        return
    log.warning("%s: %d task(s) still running after %.0fs; cancelled", what, len(running), grace)
    for task in running:
        task.cancel()
    _, running = await asyncio.wait(running, timeout=grace)
    if running:
        log.warning(
            "%s: %d cancelled task(s) did not end within %.0fs; stopping without them", what, len(running), grace
        )
