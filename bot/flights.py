"""Look-ups of a platform's people, kept for a while and shared: one call per key at a time (single-flight).

Slack's `users.info` and Teams' `get_member` are both asked about the same person by many requests at once (a burst
of reactions to one author, a team's kudos to a newcomer). An answer is kept `fresh_for` (a failure is not kept),
and a look-up already on its way is joined rather than repeated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.slack.cache import Brief

K = TypeVar("K")
V = TypeVar("V")


class Flights(Generic[K, V]):
    """A TTL cache in front of a look-up, with concurrent look-ups of one key sharing one call."""

    def __init__(self, fresh_for: timedelta, max_entries: int) -> None:
        self.answers: Brief[K, V] = Brief(fresh_for, max_entries)
        self._flying: dict[K, asyncio.Future[V | None]] = {}

    async def get(self, key: K, now: datetime, ask: Callable[[], Awaitable[V | None]]) -> V | None:
        """The kept answer, the look-up already on its way, or a new one through `ask` (None: nothing known)."""
        cached = self.answers.get(key, now)
        if cached is not None:
            return cached
        flying = self._flying.get(key)
        if flying is not None:
            return await asyncio.shield(flying)
        future: asyncio.Future[V | None] = asyncio.get_running_loop().create_future()
        self._flying[key] = future
        try:
            answer = await ask()
            if answer is not None:
                self.answers.put(key, answer, now)
            future.set_result(answer)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so a look-up nobody joined does not warn
            raise
        finally:
            del self._flying[key]
        return answer
