"""Events: signed Events API deliveries (`:clap:` reactions and emoji messages from 1,000 known people) at
concurrency 50 against one Bravo process, against the bare signature-checking handler in the same run.

An event is acknowledged once its delivery is committed to the inbox (durable); the kudos follows, processed by the
inbox worker. So two figures: acknowledgements per second with their latency, and how long after the last
acknowledgement every kudos was counted (polled every 50 ms). Bravo's CPU time per delivery (acknowledged and
processed) is the figure other load on the machine disturbs least. Each target is reported met or missed on its own.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.ingest import CONCURRENCY, HISTORY, count_kudos, database_cpu, load_workspace
from bench.load import LoadResult, run_load
from bench.org import Scale
from bench.processes import (
    SIGNING_SECRET,
    bravo_environment,
    cpu_seconds,
    fake_slack,
    free_port,
    process,
    wait_healthy,
)
from tests.fakes.slack_requests import event_envelope, message_event, reaction_added_event, sign

PEOPLE = 1_000
SETTLE_LIMIT_SECONDS = 60.0
ACK_TARGET_RATE = 1_000.0
ACK_TARGET_P99 = 0.100
SETTLE_TARGET_SECONDS = 2.0
# The warm-up's deliveries are about other messages than the measured ones (a reaction to the same message by the
# same person, or the same message again, is the same kudos and would never be counted twice).
WARMUP_FIRST = 1_000_000


@dataclass(frozen=True)
class EventFigures:
    engine: str
    bravo: LoadResult
    bare: LoadResult
    counted: int
    expected: int
    settle_seconds: float

    cpu_seconds: float
    database_cpu_seconds: float

    def verdicts(self) -> list[tuple[str, bool]]:
        """Each target with whether this run met it."""
        return [
            (f"acks ≥ {ACK_TARGET_RATE:,.0f}/s", self.bravo.rate >= ACK_TARGET_RATE),
            (f"p99 < {ACK_TARGET_P99 * 1000:.0f} ms", self.bravo.percentile(0.99) < ACK_TARGET_P99),
            (
                f"all counted within {SETTLE_TARGET_SECONDS:.0f} s",
                self.counted == self.expected and self.settle_seconds <= SETTLE_TARGET_SECONDS,
            ),
        ]

    @property
    def met(self) -> bool:
        return all(met for _, met in self.verdicts())

    @property
    def cpu_ms_per_delivery(self) -> float:
        return self.per_delivery_ms(self.cpu_seconds)

    def per_delivery_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.expected if self.expected else float("nan")


def event_request(index: int, run: str) -> tuple[bytes, dict[str, str]]:
    """Every other delivery a `:clap:` reaction, the others a channel message `<@…> :clap: …`; all distinct."""
    giver = index % PEOPLE + 1
    recipient = (index * 7 + 3) % PEOPLE + 1
    if recipient == giver:
        recipient = recipient % PEOPLE + 1
    ts = f"{1_700_000_000 + index}.{index % 1_000_000:06d}"
    if index % 2:
        event = reaction_added_event(
            "clap", user=f"U{giver:07d}", channel="C_GENERAL", item_ts=ts, item_user=f"U{recipient:07d}"
        )
    else:
        text = f"<@U{recipient:07d}> :clap: thanks for the help on delivery {index}"
        event = message_event(text, user=f"U{giver:07d}", channel="C_GENERAL", ts=ts)
    body = json.dumps(event_envelope(event, event_id=f"Ev{run}x{index}"))
    return body.encode(), {"Content-Type": "application/json", **sign(body, SIGNING_SECRET)}


async def settled(database_url: str, expected: int) -> tuple[int, float]:
    """The kudos count once it reaches `expected`, and the seconds that took (bounded)."""
    started = time.monotonic()
    count = await count_kudos(database_url)
    while count < expected and time.monotonic() - started < SETTLE_LIMIT_SECONDS:
        await asyncio.sleep(0.05)
        count = await count_kudos(database_url)
    return count, time.monotonic() - started


async def measure(engine: str, database_url: str, *, requests: int, warmup: int = 300) -> EventFigures:
    await load_workspace(database_url, Scale(people=PEOPLE, teams=100, kudos=HISTORY, pulse_answers=0))
    run = str(int(time.time()))
    with fake_slack() as slack_url:
        port = free_port()
        with process([sys.executable, "-m", "bot", "run"], bravo_environment(database_url, slack_url, port)) as bravo:
            await wait_healthy(port)
            url = f"http://127.0.0.1:{port}/slack/events"
            existing = await count_kudos(database_url)
            await run_load(url, lambda i: event_request(WARMUP_FIRST + i, run + "w"), warmup, CONCURRENCY)
            before, _ = await settled(database_url, existing + warmup)
            cpu_before, database_before = cpu_seconds(bravo.pid), database_cpu()
            result = await run_load(url, lambda i: event_request(i, run), requests, CONCURRENCY)
            counted, seconds = await settled(database_url, before + requests)
            cpu, database_used = cpu_seconds(bravo.pid) - cpu_before, database_cpu() - database_before
    bare = await measure_bare(requests, run)
    return EventFigures(engine, result, bare, counted - before, requests, seconds, cpu, database_used)


async def measure_bare(requests: int, run: str) -> LoadResult:
    """The baseline: the same deliveries to a handler that only checks their signature."""
    port = free_port()
    arguments = [sys.executable, "-m", "bench.bare_server", "--port", str(port), "--secret", SIGNING_SECRET]
    with process(arguments, bravo_environment("", "", port)):
        await wait_healthy(port)
        url = f"http://127.0.0.1:{port}/slack/events"
        await run_load(url, lambda i: event_request(i, run + "bw"), 300, CONCURRENCY)
        return await run_load(url, lambda i: event_request(i, run + "b"), requests, CONCURRENCY)


def report(figures: EventFigures, out: Callable[[str], None]) -> None:
    bravo, bare = figures.bravo, figures.bare
    verdicts = "; ".join(f"{target}: {'met' if met else 'MISSED'}" for target, met in figures.verdicts())
    out(
        f"| {figures.engine} | 1 | {bravo.rate:.0f} | {bravo.percentile(0.5) * 1000:.1f} "
        f"| {bravo.percentile(0.99) * 1000:.1f} | {figures.counted:,} of {figures.expected:,} "
        f"| {figures.settle_seconds:.2f} | {figures.cpu_ms_per_delivery:.2f} "
        f"| {figures.per_delivery_ms(figures.database_cpu_seconds):.2f} | {bare.rate:.0f} "
        f"| {bare.percentile(0.99) * 1000:.1f} | {bravo.rate / bare.rate:.2f} | {verdicts} |"
    )
    if bravo.errors:
        out(f"  ({figures.engine}: {bravo.ok} acknowledged, {bravo.errors} not)")
