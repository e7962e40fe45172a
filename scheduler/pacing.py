"""Delivery pacing: space messages per destination and per platform, and pause a destination after a Retry-After.

Slack accepts about one `chat.postMessage` per second per channel plus a workspace-wide limit, and slack_sdk does
not pace; Teams throttles per conversation. Sending at the pace the platform accepts avoids 429s instead of
collecting them. Slots are reserved without awaiting in between, so concurrent deliveries never share one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_DESTINATION_INTERVALS: Mapping[str, float] = {"slack": 1.0, "teams": 1.0}
DEFAULT_PLATFORM_RATE = 10.0


@dataclass
class Pacer:
    """Per-destination minimum intervals and a per-platform rate (messages per second; 0 means unlimited)."""

    destination_intervals: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_DESTINATION_INTERVALS))
    platform_rates: Mapping[str, float] = field(default_factory=dict)
    default_platform_rate: float = DEFAULT_PLATFORM_RATE
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _next_destination: dict[tuple[str, str], float] = field(default_factory=dict)
    _next_platform: dict[str, float] = field(default_factory=dict)
    _released: dict[str, float] = field(default_factory=dict)

    def _platform_interval(self, platform: str) -> float:
        if platform == "console":
            return 0.0
        rate = self.platform_rates.get(platform, self.default_platform_rate)
        return 1.0 / rate if rate > 0 else 0.0

    def slot(self, platform: str, destination: str) -> float:
        """When (monotonic) the next message to `destination` may go."""
        now = self.monotonic()
        return max(
            now,
            self._next_destination.get((platform, destination), now),
            self._next_platform.get(platform, now),
        )

    async def acquire(self, platform: str, destination: str, *, deadline: float | None = None) -> bool:
        """Wait for a slot and take it; False (without waiting) when the slot would come after `deadline`.

        The slot is reserved at once, then checked again on waking: a delivery that woke late (a busy event loop)
        pushes the next ones back by as much, so that the messages leave at least one interval apart in real time.
        Otherwise a late one and an on-time one would reach the platform together and the second get a 429.
        """
        slot = self.slot(platform, destination)
        if deadline is not None and slot > deadline:
            return False
        key = (platform, destination)
        destination_interval = self.destination_intervals.get(platform, 0.0)
        platform_interval = self._platform_interval(platform)
        self._next_destination[key] = slot + destination_interval
        self._next_platform[platform] = slot + platform_interval
        wait = slot - self.monotonic()
        if wait > 0:
            await self.sleep(wait)
        if not platform_interval:
            return True
        # A clock that did not move while sleeping (a test's) counts as having reached the slot.
        reached = max(self.monotonic(), slot)
        release = max(reached, self._released.get(platform, reached - platform_interval) + platform_interval)
        self._released[platform] = release
        self._next_platform[platform] = max(self._next_platform[platform], release + platform_interval)
        self._next_destination[key] = max(self._next_destination[key], release + destination_interval)
        if release > reached:
            await self.sleep(release - reached)
        return True

    def projected(self, platform: str, destinations: Sequence[str]) -> list[float]:
        """When (monotonic) each of these messages could go if sent in this order after what is already reserved.

        Nothing is reserved: this is when to try again a message the pacer had no slot for. Spacing a backlog by its
        place in the queue brings each row back about when it can leave, instead of every row every second.
        """
        now = self.monotonic()
        destination_interval = self.destination_intervals.get(platform, 0.0)
        platform_interval = self._platform_interval(platform)
        next_destination: dict[str, float] = {}
        next_platform = max(now, self._next_platform.get(platform, now))
        slots: list[float] = []
        for destination in destinations:
            known = next_destination.get(destination, self._next_destination.get((platform, destination), now))
            slot = max(now, known, next_platform)
            next_destination[destination] = slot + destination_interval
            next_platform = slot + platform_interval
            slots.append(slot)
        return slots

    def pause(self, platform: str, destination: str, seconds: float) -> None:
        """Honour a Retry-After: nothing more to this destination for `seconds` (the platform-wide pace is the
        `platform_rates` setting; pausing every channel for one channel's limit would stall unrelated posts)."""
        until = self.monotonic() + max(0.0, seconds)
        key = (platform, destination)
        self._next_destination[key] = max(self._next_destination.get(key, 0.0), until)

    def forget_idle(self) -> None:
        """Drop destinations whose interval has passed, so a long-running worker does not grow without bound."""
        now = self.monotonic()
        self._next_destination = {key: when for key, when in self._next_destination.items() if when > now}
