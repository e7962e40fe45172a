"""The outbox finds the platform's rate by itself: it rises while deliveries succeed, halves on a 429, and keeps
the per-conversation pace, the Retry-After of a refused destination and the configured ceiling. A fake clock that
moves only when someone sleeps on it; nothing here depends on real time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from handlers.delivery import channel_delivery, queue
from handlers.messages import Card, text_card
from scheduler.adaptive import BRACKETED_DECREASE, DECREASE, START_RATE, AdaptiveRate
from scheduler.outbox_worker import OutboxWorker
from scheduler.pacing import CATCH_UP_SECONDS, PLATFORM_CEILINGS, TEAMS_TENANT_LIMIT, Pacer
from scheduler.sending import DeliveryError, Destination
from storage.db import Database
from tests.scheduler.test_pacing import FakeTime, LateTime, pacer


async def send_many(pace: Pacer, time: FakeTime, count: int, *, platform: str = "slack") -> list[float]:
    """`count` messages to distinct people, each reported delivered; returns when each one left."""
    left = []
    for index in range(count):
        assert await pace.acquire(platform, f"U{index}")
        left.append(time.now)
        pace.delivered(platform)
    return left


async def test_the_rate_rises_while_deliveries_succeed() -> None:
    time = FakeTime()
    pace = pacer(time)
    assert pace.rate("slack") == START_RATE
    left = await send_many(pace, time, 60)
    assert pace.rate("slack") > 10 * START_RATE
    gaps = [later - earlier for earlier, later in zip(left, left[1:], strict=False)]
    assert gaps[-1] < gaps[0] / 10  # the messages leave faster and faster


async def test_a_rate_nothing_waits_for_does_not_rise() -> None:
    time = FakeTime()
    pace = pacer(time)
    for index in range(20):
        assert await pace.acquire("slack", f"U{index}")
        pace.delivered("slack")
        time.now += 1.0  # one message a second: never held back by the pace
    assert pace.rate("slack") == START_RATE


async def test_the_first_429_halves_the_rate_once_for_the_messages_already_on_their_way() -> None:
    time = FakeTime()
    pace = pacer(time)
    await send_many(pace, time, 30)
    before = pace.rate("slack")
    sent_at = time.now
    time.now += 0.01
    pace.refused("slack", "U1", 1.0, sent_at=sent_at)
    assert pace.rate("slack") == pytest.approx(before * DECREASE)
    pace.refused("slack", "U2", 1.0, sent_at=sent_at)  # sent before the cut: the same congestion, seen late
    assert pace.rate("slack") == pytest.approx(before * DECREASE)
    time.now += 0.01
    pace.refused("slack", "U3", 1.0, sent_at=time.now)  # sent after it: the cut rate is still too fast
    assert pace.rate("slack") == pytest.approx(before * DECREASE * BRACKETED_DECREASE)


def test_the_cut_starts_from_the_rate_the_refused_message_left_at() -> None:
    rate = AdaptiveRate(rate=100.0)
    for step in range(10):
        rate.delivered(now=1.0 + step / 100)  # slow start goes on while the 429 is on its way back
    assert rate.rate > 500
    rate.refused(sent_at=1.0, now=1.1)  # sent when the rate was 120 (100 grown once)
    assert rate.peak == pytest.approx(120.0) and rate.rate == pytest.approx(60.0)


def test_once_bracketed_a_429_takes_the_rate_just_under_the_refused_one_instead_of_halving_again() -> None:
    rate = AdaptiveRate(rate=200.0)
    rate.refused(sent_at=1.0, now=1.0)
    assert (rate.peak, rate.rate) == (200.0, 100.0)
    for _ in range(40):
        rate.delivered(now=1.5)
    assert rate.rate == pytest.approx(190, rel=0.01)
    rate.refused(sent_at=2.0, now=2.0)  # a chance 429 (a clump from a busy machine) at 190
    assert rate.peak == pytest.approx(190, rel=0.01) and rate.rate == pytest.approx(190 * BRACKETED_DECREASE, rel=0.01)
    for _ in range(15):
        rate.delivered(now=2.1)
    assert rate.rate > 0.93 * 190  # back within a few per cent in 15 messages (a tenth of a second at this rate)


def test_an_isolated_429_below_the_peak_is_taken_for_jitter_and_a_second_one_soon_after_is_not() -> None:
    rate = AdaptiveRate(rate=200.0)
    rate.refused(sent_at=1.0, now=1.0)
    for _ in range(40):
        rate.delivered(now=1.5)
    rate.refused(sent_at=10.0, now=10.0)  # alone, long after the last cut, below the peak: a clump, not the limit
    assert rate.peak == 200.0 and rate.rate == pytest.approx(190 * BRACKETED_DECREASE, rel=0.01)
    for _ in range(20):
        rate.delivered(now=10.1)
    assert rate.rate > 0.93 * 200  # straight back to just under the peak
    rate.refused(sent_at=11.0, now=11.0)  # again within ISOLATED_SECONDS: the limit is lower now
    assert rate.peak < 200


def test_a_limit_that_falls_is_followed_within_a_few_refusals() -> None:
    rate = AdaptiveRate(rate=300.0)
    rate.refused(sent_at=1.0, now=1.0)
    for _ in range(40):
        rate.delivered(now=1.5)
    now, refusals = 2.0, 0
    while rate.rate > 50:  # the platform now allows 50 a second: every message sent faster is refused
        now += 0.01
        rate.refused(sent_at=now, now=now + 0.005)
        refusals += 1
    assert refusals <= 12 and rate.rate > 40


def test_after_a_cut_the_rate_climbs_back_near_the_limit_then_probes_slowly() -> None:
    rate = AdaptiveRate(rate=200.0)
    rate.refused(sent_at=1.0, now=2.0)
    assert rate.rate == 100.0 and rate.peak == 200.0
    for _ in range(20):
        rate.delivered(now=2.1)
    assert 185 < rate.rate < 191  # within a few per cent of where the refusals started, in 20 messages
    for _ in range(200):
        rate.delivered(now=3.0)  # one second of messages at that rate
    assert rate.rate < 200  # beyond the peak only slowly: about two per cent a second (doubling every five)


async def test_the_refused_destination_waits_its_retry_after_and_the_others_go_on() -> None:
    time = FakeTime()
    pace = pacer(time)
    assert await pace.acquire("slack", "U1")
    pace.refused("slack", "U1", 30.0, sent_at=time.now)
    assert await pace.acquire("slack", "U2")
    assert time.now - 1000 < 1
    assert not await pace.acquire("slack", "U1", deadline=time.now + 5)
    assert await pace.acquire("slack", "U1")
    assert time.now - 1000 == pytest.approx(30.0)


async def test_the_per_channel_pace_holds_however_fast_the_workspace_goes() -> None:
    time = FakeTime()
    pace = pacer(time)
    await send_many(pace, time, 60)  # the workspace rate is now in the hundreds
    times = []
    for _ in range(3):
        assert await pace.acquire("slack", "C-general")
        times.append(time.now)
        pace.delivered("slack")
    assert [round(later - earlier, 3) for earlier, later in zip(times, times[1:], strict=False)] == [1.0, 1.0]
    teams = pacer(time)
    start = time.now
    for _ in range(8):
        assert await teams.acquire("teams", "19:conversation")
    assert time.now - start == pytest.approx(1.0)  # Teams: 7 a second in one conversation


class VirtualTime(FakeTime):
    """A fake clock for concurrent sleepers: the earliest one wakes first, once the others had their turn."""

    def __init__(self) -> None:
        super().__init__()
        self.sleepers: list[float] = []

    async def sleep(self, seconds: float) -> None:
        target = self.now + max(0.0, seconds)
        self.sleepers.append(target)
        while True:
            await asyncio.sleep(0)
            if target == min(self.sleepers):
                self.sleepers.remove(target)
                self.now = max(self.now, target)
                return


async def test_a_busy_channel_does_not_hold_up_the_messages_queued_behind_it() -> None:
    time = VirtualTime()
    pace = pacer(time)
    assert await pace.acquire("slack", "C-busy")
    assert await pace.acquire("slack", "C-busy")  # the channel's next slot: one second later
    assert time.now - 1000 == pytest.approx(1.0)
    pace.pause("slack", "C-busy", 10)
    order: list[str] = []

    async def one(destination: str) -> None:
        assert await pace.acquire("slack", destination)
        order.append(destination)

    await asyncio.gather(one("C-busy"), one("U1"), one("U2"))
    assert order == ["U1", "U2", "C-busy"] and time.now - 1000 == pytest.approx(11.0, abs=0.1)


async def test_the_ceiling_is_never_exceeded_and_teams_stays_within_30_a_second_per_tenant() -> None:
    time = FakeTime()
    pace = pacer(time, ceiling=50)
    left = await send_many(pace, time, 200)
    assert pace.rate("slack") == 50
    assert min(later - earlier for earlier, later in zip(left, left[1:], strict=False)) >= 1 / 50 - 1e-9
    teams = pacer(time)
    left = await send_many(teams, time, 200, platform="teams")
    assert teams.rate("teams") == PLATFORM_CEILINGS["teams"]
    assert min(later - earlier for earlier, later in zip(left, left[1:], strict=False)) >= 1 / TEAMS_TENANT_LIMIT


async def test_each_workspace_has_its_own_rate() -> None:
    time = FakeTime()
    pace = pacer(time)
    assert await pace.acquire("teams", "a", workspace="tenant-1")
    pace.refused("teams", "a", 1.0, sent_at=time.now + 1, workspace="tenant-1")
    assert pace.rate("teams", "tenant-1") < pace.rate("teams", "tenant-2") == START_RATE


def test_the_outbox_rate_setting_is_an_optional_ceiling() -> None:
    adaptive = Settings(_env_file=None).outbox_pacer()  # type: ignore[call-arg]
    assert adaptive.ceiling == 0 and adaptive.destination_intervals == {"slack": 1.0, "teams": 1 / 7}
    capped = Settings(_env_file=None, BRAVO_OUTBOX_RATE=40, BRAVO_OUTBOX_CHANNEL_INTERVAL=2).outbox_pacer()  # type: ignore[call-arg]
    assert capped.ceiling == 40 and capped.lane("slack").rate.ceiling == 40
    assert capped.lane("teams").rate.ceiling == PLATFORM_CEILINGS[
        "teams"
    ] < TEAMS_TENANT_LIMIT and capped.destination_intervals == {"slack": 2, "teams": 2}


class RefusingSender:
    """A platform that refuses every second message with a 429 and Retry-After: 3."""

    platform = "slack"

    def __init__(self) -> None:
        self.calls = 0
        self.delivered: list[str] = []

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        self.calls += 1
        if self.calls % 2 == 0:
            raise DeliveryError("ratelimited", permanent=False, retry_after=3)
        self.delivered.append(address or "")
        return None


async def test_the_outbox_worker_halves_the_rate_on_a_429_and_the_refused_row_waits_its_retry_after(
    database: Database,
) -> None:
    async with database.transaction() as session:
        for index in range(4):
            await queue(
                session, [channel_delivery(platform="slack", channel=f"U{index}", card=text_card("hi"), kind="post")]
            )
    time = FakeTime()
    now = datetime.now(UTC)
    sender = RefusingSender()
    worker = OutboxWorker(database, {"slack": sender}, clock=lambda: now, pacer=pacer(time))
    await worker.drain_once()
    assert sender.calls == 4 and len(sender.delivered) == 2
    assert worker.pacer.rate("slack") < START_RATE
    assert worker.pacer.slot("slack", "U1") - 1000 >= 3  # the refused person waits out the Retry-After (3 s)


class TenantSender(RefusingSender):
    """A sender that names the workspace it delivers to (Teams: the app's tenant)."""

    workspace = "tenant-1"


async def test_a_sender_that_names_its_workspace_is_paced_on_its_own(database: Database) -> None:
    async with database.transaction() as session:
        for index in range(2):
            await queue(
                session, [channel_delivery(platform="slack", channel=f"U{index}", card=text_card("hi"), kind="post")]
            )
    time = FakeTime()
    now = datetime.now(UTC)
    worker = OutboxWorker(database, {"slack": TenantSender()}, clock=lambda: now, pacer=pacer(time))
    await worker.drain_once()
    assert worker.pacer.rate("slack", "tenant-1") < START_RATE == worker.pacer.rate("slack")


async def paced_at(time: FakeTime, rate: float, count: int) -> list[float]:
    """When each of `count` messages to distinct people leaves a workspace paced at `rate` a second."""
    pace = pacer(time, ceiling=rate)
    pace.lane("slack").rate.rate = rate
    left = []
    for index in range(count):
        assert await pace.acquire("slack", f"U{index}")
        left.append(time.now)
    return left


async def test_time_lost_waking_late_is_made_up_so_the_rate_holds_on_a_busy_machine() -> None:
    left = await paced_at(LateTime(late=CATCH_UP_SECONDS / 4, every=True), 100.0, 101)
    assert left[-1] - left[0] == pytest.approx(1.0, abs=CATCH_UP_SECONDS)  # not 1.5 s: 100 a second, not 80
    left = await paced_at(LateTime(late=CATCH_UP_SECONDS * 0.75, every=True), 100.0, 101)
    assert left[-1] - left[0] == pytest.approx(1.0, abs=CATCH_UP_SECONDS)  # later than the interval: no sleep after


async def test_after_a_stall_the_schedule_starts_again_instead_of_sending_a_burst() -> None:
    left = await paced_at(LateTime(late=0.5, every=True), 100.0, 4)
    gaps = [later - earlier for earlier, later in zip(left, left[1:], strict=False)]
    assert min(gaps) >= 0.01  # each message a full interval (and the stall) after the one before
