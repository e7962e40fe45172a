"""Incoming work first: while a burst of acknowledged deliveries waits to be counted, notifications wait.

One process does both on one event loop (and, on a small machine, one core). During a burst of reactions, every
notification sent is CPU taken from counting the kudos Slack was already told were received; the notifications of
that burst can follow a few seconds later without anyone noticing. A long burst never starves them: the wait is
bounded, after which one batch goes out before looking again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

MAX_DEFER_SECONDS = 10.0
STEP_SECONDS = 0.05


async def incoming_first(
    busy: Callable[[], bool] | None,
    *,
    stopping: Callable[[], bool] = lambda: False,
    limit: float = MAX_DEFER_SECONDS,
    step: float = STEP_SECONDS,
) -> float:
    """Wait while `busy()` says incoming work is backlogged, at most `limit` seconds; the seconds waited."""
    waited = 0.0
    while busy is not None and waited < limit and not stopping() and busy():
        await asyncio.sleep(step)
        waited += step
    return waited
