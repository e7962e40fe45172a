"""Teams' per-conversation rate limits, kept ahead of time instead of discovered through 429s.

Teams allows a bot 7 messages a second, 8 per 2 s, 60 per 30 s and 1,800 an hour in one conversation, and about
30 a second per tenant. The pacer keeps a sliding window of send times per conversation and says how long to wait.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

CONVERSATION_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
TENANT_LIMITS: tuple[tuple[int, float], ...] = ((30, 1.0),)
MAX_TRACKED = 10_000


class Window:
    """Send times within the longest of its limits; `delay()` is how long until one more fits all of them."""

    def __init__(self, limits: tuple[tuple[int, float], ...]) -> None:
        self.limits = limits
        self.horizon = max(seconds for _, seconds in limits)
        self.times: deque[float] = deque()

    def delay(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.horizon:
            self.times.popleft()
        wait = 0.0
        for count, seconds in self.limits:
            recent = [stamp for stamp in self.times if stamp > now - seconds]
            if len(recent) >= count:
                wait = max(wait, recent[-count] + seconds - now)
        return wait

    def record(self, now: float) -> None:
        self.times.append(now)


class Pacer:
    """Per-conversation and per-tenant pacing, shared by replies and proactive deliveries of one process."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self._conversations: dict[str, Window] = {}
        self._tenants: dict[str, Window] = {}
        self._lock = asyncio.Lock()

    def _window(self, table: dict[str, Window], key: str, limits: tuple[tuple[int, float], ...]) -> Window:
        window = table.get(key)
        if window is None:
            if len(table) >= MAX_TRACKED:
                now = self.clock()
                for stale in [name for name, old in table.items() if not old.times or old.times[-1] < now - 3600]:
                    del table[stale]
            window = table[key] = Window(limits)
        return window

    async def reserve(self, conversation_id: str, tenant_id: str | None = None, *, max_wait: float) -> float:
        """Claim a slot now, sleeping up to `max_wait`; returns 0, or the longer wait it did not take (no slot)."""
        async with self._lock:
            conversation = self._window(self._conversations, conversation_id, CONVERSATION_LIMITS)
            tenant = self._window(self._tenants, tenant_id or "", TENANT_LIMITS)
            now = self.clock()
            wait = max(conversation.delay(now), tenant.delay(now))
            if wait > max_wait:
                return wait
            conversation.record(now + wait)
            tenant.record(now + wait)
        if wait > 0:
            await self.sleep(wait)
        return 0.0
