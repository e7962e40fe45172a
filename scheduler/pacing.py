"""Delivery pacing: each workspace (or tenant) at the rate its platform accepts, found by trying; each destination at
most at its platform's per-conversation pace; a destination that got a Retry-After waits it out.

Slack accepts about one `chat.postMessage` per second per channel and a workspace-wide rate it does not publish;
Teams about 7 a second per conversation and 30 a second per app in a tenant. slack_sdk does not pace. The platform-wide
rate is therefore adaptive (`scheduler.adaptive`): it rises while deliveries succeed and is cut on a 429, with
`ceiling` (`BRAVO_OUTBOX_RATE`) as an optional upper bound and Teams' 30/s per tenant as another.

Messages of one workspace take their turn in arrival order (a queue: only the first waits on the clock, so a batch
of hundreds costs one timer at a time) and reserve their slot when their turn comes, without awaiting between
reading the slot and taking it: concurrent deliveries never share one, and a rate cut by a 429 applies to the very
next message rather than to slots reserved in advance.

A message that woke late (a busy event loop: at a few hundred messages a second a timer is often late by more than
the interval) keeps the slot it was given when it is at most CATCH_UP_SECONDS late, so the messages after it catch
up without sleeping: had each late wake-up moved the schedule, the lateness would add to every interval and a
machine busy with the sending itself would deliver at half the rate found. What reaches the platform together
stays within a burst of that length, which platforms tolerate. Beyond it (a stalled loop, an idle lane) the schedule
starts again from the moment the message leaves: no burst makes up for a stall.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from scheduler.adaptive import AdaptiveRate

T = TypeVar("T")

# Seconds between two messages to one channel or conversation: Slack about 1 a second, Teams 7 a second.
DEFAULT_DESTINATION_INTERVALS: Mapping[str, float] = {"slack": 1.0, "teams": 1 / 7}
# Messages per second per workspace or tenant that no answer of the platform can raise: Teams' 30 per app per tenant,
# kept 5 % under it. Paced at exactly the limit, every clump on the way (the connector's calls run in a thread pool,
# the network) would be refused: in the fan-out benchmark, 9 % of the messages against 4 % with this margin.
TEAMS_TENANT_LIMIT = 30.0
PLATFORM_CEILINGS: Mapping[str, float] = {"teams": TEAMS_TENANT_LIMIT * 0.95}
UNPACED = frozenset({"console"})
# How late a message may be on its slot and still count as having left on it (see the module's docstring).
CATCH_UP_SECONDS = 0.02


@dataclass
class Lane:
    """One workspace's (or tenant's) adaptive rate, its last slot, and the deliveries waiting for their turn."""

    rate: AdaptiveRate
    last_slot: float | None = None
    # Whether the last message had to wait for its slot: only then was the rate what held deliveries back.
    held: bool = False
    busy: bool = False
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)

    def next_slot(self, now: float) -> float:
        """The next message's slot: an interval after the last one, or `now` when that is past (late by at most
        CATCH_UP_SECONDS: the time lost waking late is made up)."""
        if self.last_slot is None:
            return now
        slot = self.last_slot + self.rate.interval
        return slot if slot > now - CATCH_UP_SECONDS else now

    async def turn(self) -> None:
        """Wait until every delivery that came before has taken its slot (or given up)."""
        if not self.busy:
            self.busy = True
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.pass_turn()  # the turn had come: give it on rather than lose it
            else:
                self.waiters.remove(waiter)
            raise

    def pass_turn(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.busy = False


@dataclass
class Pacer:
    """Per-destination minimum intervals, and per workspace an adaptive rate at most `ceiling` (0: no ceiling)."""

    destination_intervals: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_DESTINATION_INTERVALS))
    ceiling: float = 0.0
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _lanes: dict[tuple[str, str], Lane] = field(default_factory=dict)
    _next_destination: dict[tuple[str, str], float] = field(default_factory=dict)

    def lane(self, platform: str, workspace: str | None = None) -> Lane:
        """The workspace's lane, created at the starting rate the first time it is used."""
        key = (platform, workspace or "")
        lane = self._lanes.get(key)
        if lane is None:
            ceilings = [value for value in (self.ceiling, PLATFORM_CEILINGS.get(platform, 0.0)) if value > 0]
            lane = self._lanes[key] = Lane(AdaptiveRate(ceiling=min(ceilings, default=0.0)))
        return lane

    def rate(self, platform: str, workspace: str | None = None) -> float:
        """The messages per second the workspace is being sent at now."""
        return self.lane(platform, workspace).rate.rate

    def slot(self, platform: str, destination: str, workspace: str | None = None) -> float:
        """When (monotonic) the next message to `destination` could go, were no other message waiting."""
        now = self.monotonic()
        return max(
            self.lane(platform, workspace).next_slot(now), self._next_destination.get((platform, destination), now)
        )

    async def acquire(
        self, platform: str, destination: str, *, workspace: str | None = None, deadline: float | None = None
    ) -> bool:
        """Wait for a slot and take it; False (without waiting) when the slot would come after `deadline`."""
        if platform in UNPACED:
            return True
        lane = self.lane(platform, workspace)
        key = (platform, destination)
        if deadline is not None and self._projected_one(lane, key, ahead=len(lane.waiters) + lane.busy) > deadline:
            return False
        waited = -math.inf
        while True:
            await lane.turn()
            try:
                outcome = await self._take(lane, key, deadline, waited)
            finally:
                lane.pass_turn()
            if outcome is not None:
                return outcome
            # The destination is not free before a while: wait for it out of the queue, so the others go meanwhile.
            waited = self._next_destination.get(key, 0.0)
            await self.sleep(max(0.0, waited - self.monotonic()))

    async def _take(self, lane: Lane, key: tuple[str, str], deadline: float | None, waited: float) -> bool | None:
        """At the head of the queue: sleep until the lane's slot and take it; None when the destination is what
        holds this message back (it steps out of the queue instead of holding everyone).

        A clock that stands still while sleeping (a test's) counts as having reached what was waited for: the slot
        last taken, and `waited`, when this message waited for its destination.
        """
        while True:
            now = max(self.monotonic(), waited, lane.last_slot if lane.last_slot is not None else -math.inf)
            slot = lane.next_slot(now)
            destination_free = self._next_destination.get(key, slot)
            if deadline is not None and max(slot, destination_free) > deadline:
                return False
            if destination_free > slot + lane.rate.interval:
                return None
            slot = max(slot, destination_free)
            lane.held = slot != now  # the pace set this slot (ahead, or behind when catching up), not the clock
            if slot > now:
                await self.sleep(slot - now)
                reached = max(self.monotonic(), slot)
                if lane.next_slot(reached) > reached:  # the rate was cut while this message slept
                    continue
                slot = lane.next_slot(reached)  # its slot, unless it woke more than CATCH_UP_SECONDS late
            lane.last_slot = slot
            self._next_destination[key] = max(slot, now) + self.destination_intervals.get(key[0], 0.0)
            return True

    def _projected_one(self, lane: Lane, key: tuple[str, str], *, ahead: int) -> float:
        now = self.monotonic()
        lane_slot = lane.next_slot(now) + ahead * lane.rate.interval
        return max(lane_slot, self._next_destination.get(key, now))

    def delivered(self, platform: str, workspace: str | None = None) -> None:
        """A delivery succeeded; when messages wait for their slot, that is a sign the platform could take more (when
        they do not, Bravo itself is slower than the rate, and raising it would prove nothing)."""
        lane = self.lane(platform, workspace)
        if lane.held:
            lane.rate.delivered(self.monotonic())

    def refused(
        self, platform: str, destination: str, retry_after: float, *, sent_at: float, workspace: str | None = None
    ) -> None:
        """The platform answered 429 to a message sent at `sent_at`: cut the workspace's rate, and nothing more to
        this destination for `retry_after` (already clamped by `sane_retry_after`).

        The workspace as a whole is not stopped for the Retry-After: the cut already takes it under the limit,
        while a pause of every conversation for one refusal would stall unrelated posts a whole second each time.
        """
        self.lane(platform, workspace).rate.refused(sent_at, self.monotonic())
        self.pause(platform, destination, retry_after)

    def projected(self, platform: str, destinations: Sequence[str], workspace: str | None = None) -> list[float]:
        """When (monotonic) each of these messages could go if sent in this order after what is already waiting.

        Nothing is reserved: this is when to try again a message the pacer had no slot for. Spacing a backlog by its
        place in the queue brings each row back about when it can leave, instead of every row every second.
        """
        now = self.monotonic()
        lane = self.lane(platform, workspace)
        interval = lane.rate.interval if platform not in UNPACED else 0.0
        destination_interval = self.destination_intervals.get(platform, 0.0)
        next_lane = lane.next_slot(now) + len(lane.waiters) * interval
        next_destination: dict[str, float] = {}
        slots: list[float] = []
        for destination in destinations:
            known = next_destination.get(destination, self._next_destination.get((platform, destination), now))
            slot = max(now, known, next_lane)
            next_destination[destination] = slot + destination_interval
            next_lane = slot + interval
            slots.append(slot)
        return slots

    def pause(self, platform: str, destination: str, seconds: float) -> None:
        """Honour a Retry-After: nothing more to this destination for `seconds`."""
        until = self.monotonic() + max(0.0, seconds)
        key = (platform, destination)
        self._next_destination[key] = max(self._next_destination.get(key, 0.0), until)

    def forget_idle(self) -> None:
        """Drop destinations whose interval has passed, so a long-running worker does not grow without bound."""
        now = self.monotonic()
        self._next_destination = {key: when for key, when in self._next_destination.items() if when > now}


class Departure:
    """One delivery of a batch, which says once that it has left the pacer's queue (at the latest when it ends)."""

    def __init__(self, departures: Departures) -> None:
        self._departures = departures
        self._gone = False

    def go(self) -> None:
        if not self._gone:
            self._gone = True
            self._departures.gone()

    def __enter__(self) -> Departure:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.go()


class Departures:
    """How many deliveries of a batch still wait for their pacing slot: the outbox worker claims the next batch
    once none does, while the last answers are still on their way."""

    def __init__(self, count: int) -> None:
        self._waiting = count
        self._none_left = asyncio.Event()
        if count <= 0:
            self._none_left.set()

    async def track(self, delivery: Callable[..., Awaitable[T]]) -> T:
        """Run `delivery(left=…)`, its departure counted when it says so and at the latest when it ends."""
        with Departure(self) as departure:
            return await delivery(left=departure)

    def gone(self) -> None:
        self._waiting -= 1
        if self._waiting <= 0:
            self._none_left.set()

    async def all_left(self) -> None:
        await self._none_left.wait()
