"""Fan-out: one pulse to 2,000 people through a Slack that enforces `chat.postMessage` limits Bravo is not told.

The fake Slack (its own process) accepts about one message per second per channel and a workspace-wide rate (20, 100
and 300 a second in turn), with a burst of `BURST`, and answers 429 + `Retry-After` beyond. Bravo runs its real code
with **default settings** (no `BRAVO_OUTBOX_RATE`): the `pulse send --now` use case queues one direct message per
person in one transaction, then the outbox worker (the one `bravo run` starts) delivers them through the Slack
sender, its pacer finding the limit by itself. The baseline is the enforced limit: the achieved rate is reported as
a fraction of it. Every person must have exactly one message at the fake: none lost, none duplicated.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from sqlalchemy import text

from bench.databases import fresh_database
from bench.org import Scale, load_organisation
from bench.processes import SECRET_KEY, clean_environment, process
from bot.config import Settings
from bot.platforms import outbox_worker, platform_senders
from bot.runtime import Runtime
from handlers.pulse import send_now
from storage.db import Database

PEOPLE = 2_000
TEAMS = 200
# Workspace-wide limits the fake enforces, one run each: a small workspace, Slack's usual figure, a generous one.
WORKSPACE_RATES = (20.0, 100.0, 300.0)
QUICK_RATES = (100.0,)
PER_CHANNEL_RATE = 1.0
# Slack tolerates short bursts; with a burst of 1, every millisecond of jitter between two paced requests (the
# network, or the fake's own process waiting for a core on a busy machine) would become a 429. The fake forgives
# JITTER_SECONDS of it (at least 5 messages: 50 ms at 100 a second, 17 ms at 300), which adds nothing measurable
# to the rate.
BURST = 5.0
JITTER_SECONDS = 0.05
QUICK_PEOPLE = 1_000
CEILING_PEOPLE = 2_000
UNLIMITED = 1_000_000.0
TARGET = 0.9
MAX_REFUSED_SHARE = 0.05
SETTLE_SECONDS = 3.0


@dataclass(frozen=True)
class FanoutFigures:
    engine: str
    platform: str
    people: int
    limit: float
    queue_seconds: float
    seconds: float
    delivered: int
    lost: int
    duplicated: int
    rate_limited: int
    failed: int
    idle_share: float

    @property
    def rate(self) -> float:
        return (self.delivered - 1) / self.seconds if self.seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.rate / self.limit


def idle_share(times: list[float], interval: float) -> float:
    """The share of the run spent in gaps longer than two intervals: time the limit allowed but nothing was sent."""
    if len(times) < 2:
        return 0.0
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    return sum(gap - interval for gap in gaps if gap > 2 * interval) / (times[-1] - times[0])


def bench_settings(database_url: str, slack_url: str) -> Settings:
    """Bravo's settings for the run: Slack at the fake, everything else (the outbox's pace included) by default."""
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-signing-secret",
        "SLACK_API_URL": slack_url,
        "MICROSOFT_APP_ID": "",
        "TEAMS_ALLOW_UNAUTHENTICATED": False,
        "BRAVO_LOG_LEVEL": "WARNING",
        "BRAVO_SECRET_KEY": SECRET_KEY,
    }
    return Settings(_env_file=None, **values)


async def deliveries(session: aiohttp.ClientSession, origin: str) -> dict[str, Any]:
    """What the fake at `origin` accepted and refused (its `/bench/deliveries` summary)."""
    async with session.get(f"{origin}/bench/deliveries") as response:
        body: dict[str, Any] = await response.json()
        return body


async def outbox_counts(database: Database) -> dict[str, int]:
    async with database.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT status, count(*) FROM outbox GROUP BY status"))).all()
    return {str(status): int(count) for status, count in rows}


async def measure(engine: str, *, people: int = PEOPLE, rate: float, burst: float = BURST) -> FanoutFigures:
    """Queue one pulse for `people` people and deliver it; the figures come from the fake's own records.

    `rate` is the limit the fake enforces; Bravo is not told it.
    """
    scale = Scale(people=people, teams=max(1, people * TEAMS // PEOPLE), kudos=0, pulse_answers=0)
    arguments = [sys.executable, "-m", "bench.fanout_fake", "--per-channel", str(PER_CHANNEL_RATE)]
    arguments += ["--workspace", str(rate), "--burst", str(max(burst, rate * JITTER_SECONDS))]
    async with organisation_and_fake(engine, scale, arguments) as (url, database, slack_url):
        settings = bench_settings(url, slack_url)
        expected = {f"U{person:07d}" for person in range(1, scale.people + 1)}
        delivery = Delivery("slack", rate, slack_url.removesuffix("/api/"), expected)
        return await deliver(engine, database, settings, scale, delivery)


@asynccontextmanager
async def organisation_and_fake(
    engine: str, scale: Scale, arguments: list[str]
) -> AsyncIterator[tuple[str, Database, str]]:
    """A fresh database holding the organisation, and the fake platform started by `arguments` (its own process):
    the database's URL, the database, and the address the fake wrote when it was ready."""
    async with fresh_database(engine) as url:
        database = Database(url)
        try:
            await load_organisation(database, scale)
            with process(arguments, clean_environment()) as fake:
                assert fake.stdout is not None
                yield url, database, fake.stdout.readline().strip()
        finally:
            await database.dispose()


@dataclass(frozen=True)
class Delivery:
    """What one run delivers through: the platform, the limit its fake enforces, where that fake answers its
    summary, and the conversations (channels, people) that must each get exactly one message."""

    platform: str
    limit: float
    origin: str
    expected: set[str]


async def deliver(
    engine: str, database: Database, settings: Settings, scale: Scale, delivery: Delivery
) -> FanoutFigures:
    """Start one pulse for everyone and drain the outbox with the worker `bravo run` starts, until nothing is
    pending; the figures come from the fake's own records."""
    rate = delivery.limit
    runtime = Runtime(settings=settings, database=database, policy=settings.policy())
    started = time.perf_counter()
    async with database.transaction() as session:
        rounds = await send_now(session, policy=runtime.policy, now=datetime.now(UTC))
    queue_seconds = time.perf_counter() - started
    assert len(rounds) == scale.teams, f"{len(rounds)} pulses started for {scale.teams} teams"
    worker = outbox_worker(runtime, platform_senders(runtime))
    draining = asyncio.create_task(worker.run_forever(idle_seconds=0.2))
    deadline = time.monotonic() + 5 * scale.people / rate + 60
    try:
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                counts = await outbox_counts(database)
                if not counts.get("pending"):
                    break
            await asyncio.sleep(SETTLE_SECONDS)  # a late duplicate would arrive now
            summary = await deliveries(session, delivery.origin)
    finally:
        draining.cancel()
        await asyncio.gather(draining, return_exceptions=True)
        await worker.aclose()
    accepted: dict[str, int] = summary["accepted"]
    times: list[float] = summary["times"]
    counts = await outbox_counts(database)
    return FanoutFigures(
        engine=engine,
        platform=delivery.platform,
        people=scale.people,
        limit=rate,
        queue_seconds=queue_seconds,
        seconds=float(times[-1] - times[0]) if times else 0.0,
        idle_share=idle_share(times, 1 / rate),
        delivered=sum(accepted.values()),
        lost=len(delivery.expected - accepted.keys()),
        duplicated=sum(count - 1 for count in accepted.values() if count > 1),
        rate_limited=int(summary["rate_limited"]),
        failed=counts.get("failed", 0),
    )


async def measure_ceiling(engine: str, *, people: int = CEILING_PEOPLE) -> FanoutFigures:
    """How fast Bravo delivers when nothing limits it: a fake that accepts everything (the pacer's rate climbs to
    its maximum)."""
    return await measure(engine, people=people, rate=UNLIMITED)


def report(all_figures: list[FanoutFigures], out: Any) -> None:
    out(
        "| engine | platform | people | enforced limit msg/s | queue s | delivery s | achieved msg/s "
        "| ratio (achieved ÷ limit) | idle share | 429s | 429s ÷ messages | lost | duplicated | failed "
        "| target ≥ 0.90, 429s ≤ 5 %, 0 lost, 0 duplicated |"
    )
    out("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for item in all_figures:
        limited = item.limit < UNLIMITED
        refused_share = item.rate_limited / item.people
        met = item.ratio >= TARGET and refused_share <= MAX_REFUSED_SHARE and not item.lost and not item.duplicated
        out(
            f"| {item.engine} | {item.platform} | {item.people:,} | {f'{item.limit:g}' if limited else 'none'} "
            f"| {item.queue_seconds:.1f} | {item.seconds:.1f} | {item.rate:.1f} "
            f"| {f'{item.ratio:.3f}' if limited else ''} | {f'{item.idle_share:.2f}' if limited else ''} "
            f"| {item.rate_limited} | {refused_share:.1%} | {item.lost} | {item.duplicated} | {item.failed} "
            f"| {('met' if met else 'MISSED') if limited else ''} |"
        )
