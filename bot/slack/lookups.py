"""Slack `users.info` look-ups, kept for a while, shared between concurrent requests and paced to Slack's rate tier.

Without this, every reaction asked Slack about its reactor and its author (44 calls for one author in 300
reactions): the database only learns a person once the first request's transaction commits, so every request in
between asked again. Here an answer is kept for `USER_FRESH_FOR` (a person's name, bot flag or organisation rarely
changes; a change shows within that time), a look-up already on its way is joined rather than repeated
(single-flight), and calls are paced by a token bucket per Web API rate tier (`users.info` is Tier 4, about 100 a
minute with bursts; `users.list` Tier 2, about 20 a minute). slack_sdk's own retry still honours a 429's
`Retry-After` on top of that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.flights import Flights

log = logging.getLogger(__name__)

USER_FRESH_FOR = timedelta(minutes=15)
USER_CACHE_ENTRIES = 50_000


class RateTier:
    """A token bucket: `per_minute` calls a minute on average, `burst` at once; `take()` waits for a token."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_minute / 60
        self.burst = burst
        self.clock = clock
        self._tokens = float(burst)
        self._at = clock()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        async with self._lock:
            while True:
                now = self.clock()
                self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_second)
                self._at = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.per_second)


def tier_4() -> RateTier:
    """`users.info` and the like: 100+ calls a minute, generous bursts; the share of the look-ups a request waits
    for (the background's share is `tier_4_background`, so a queue of background look-ups never delays a request)."""
    return RateTier(per_minute=60, burst=30)


def tier_4_background() -> RateTier:
    """The rest of Tier 4's 100 a minute, for describing people after their request was answered."""
    return RateTier(per_minute=40, burst=20)


def tier_2() -> RateTier:
    """`users.list` and the like: 20+ calls a minute."""
    return RateTier(per_minute=20, burst=3)


class UserLookups:
    """`users.info` through a TTL cache, one call per person at a time, paced to Tier 4."""

    def __init__(
        self, client: AsyncWebClient, tier: RateTier | None = None, background: RateTier | None = None
    ) -> None:
        self.client = client
        self.tier = tier or tier_4()
        self.background = background or tier_4_background()
        self.flights: Flights[str, dict[str, Any]] = Flights(USER_FRESH_FOR, USER_CACHE_ENTRIES)

    def remember(self, user: dict[str, Any], now: datetime) -> None:
        """Keep a user Slack described elsewhere (`users.list`)."""
        if user.get("id"):
            self.flights.answers.put(str(user["id"]), user, now)

    async def user(self, user_id: str, now: datetime, *, background: bool = False) -> dict[str, Any] | None:
        """The Slack user, or None when Slack cannot say (unknown id, error): a failure is not kept.

        `background` look-ups (nobody waits for them) are paced on their own share of the tier."""
        return await self.flights.get(
            user_id, now, lambda: self._ask(user_id, self.background if background else self.tier)
        )

    async def _ask(self, user_id: str, tier: RateTier) -> dict[str, Any] | None:
        await tier.take()
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as error:
            log.warning("users.info %s failed: %s", user_id, error.response.get("error"))
            return None
        except (aiohttp.ClientError, TimeoutError) as error:
            if (task := asyncio.current_task()) is not None and task.cancelling():
                raise asyncio.CancelledError from error  # a cancelled call can surface as a timeout: keep it cancelled
            log.warning("users.info %s failed: %s", user_id, error)
            return None
        user = response.get("user")
        return user if isinstance(user, dict) else None
