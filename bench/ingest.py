"""Ingest: signed `/kudos` slash commands over loopback at concurrency 50, against a bare signature-checking handler.

Throughput counts *durable* kudos (rows in the database after the run), not answered requests. Resident memory of
the Bravo process is sampled idle and under this load.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.load import LoadResult, run_load
from bench.org import Scale, load_organisation
from bench.processes import (
    SIGNING_SECRET,
    bravo_environment,
    children_of,
    cpu_seconds,
    fake_slack,
    free_port,
    process,
    resident_megabytes,
    wait_healthy,
)
from storage.db import Database
from storage.kudos.rollup import roll_up
from tests.fakes.slack_requests import sign

CONCURRENCY = 50
# Kudos already given when a burst starts, analysed as autovacuum would have: a workspace of this size has a history,
# and a table that grows from empty by thousands within seconds keeps PostgreSQL on plans made for an empty one
# (foreign-key checks scanning the whole table).
HISTORY = 20_000


@dataclass(frozen=True)
class IngestFigures:
    engine: str
    workers: int
    bravo: LoadResult
    durable: int
    bare: LoadResult
    idle_mb: float
    loaded_mb: float
    cpu_seconds: float
    client_cpu_seconds: float
    database_cpu_seconds: float

    def per_kudos_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.durable if self.durable else float("nan")

    @property
    def cpu_ms_per_kudos(self) -> float:
        """Server CPU (every process) per durable kudos: the figure that other load on the machine disturbs least."""
        return self.per_kudos_ms(self.cpu_seconds)

    @property
    def ceiling(self) -> float:
        """Kudos/s this machine's cores could give if Bravo, the load generator and PostgreSQL kept them all busy."""
        total = self.per_kudos_ms(self.cpu_seconds + self.client_cpu_seconds + self.database_cpu_seconds)
        return 1000 * (os.cpu_count() or 1) / total if total else float("nan")

    @property
    def durable_rate(self) -> float:
        return self.durable / self.bravo.seconds


NEWCOMER_BASE = 5_000_000  # Slack ids of people Bravo has never seen: U5000001…


def kudos_request(index: int, people: int, run: str, newcomers: int = 0) -> tuple[bytes, dict[str, str]]:
    """A signed `/kudos` from a known person to another, or, with `newcomers`, from one of that many people Bravo has
    never seen (each giving once while they last) to a known person."""
    giver = NEWCOMER_BASE + index % newcomers + 1 if newcomers else index % people + 1
    recipient = (index * 7 + 3) % people + 1
    if recipient == giver:
        recipient = recipient % people + 1
    fields = {
        "token": "bench",
        "team_id": "T1",
        "team_domain": "acme",
        "channel_id": "C_GENERAL",
        "channel_name": "general",
        "user_id": f"U{giver:07d}",
        "user_name": f"person{giver}",
        "command": "/kudos",
        "text": f"<@U{recipient:07d}|person{recipient}> thanks for the help on request {index} #teamwork",
        "api_app_id": "A1",
        "response_url": "https://hooks.slack.com/commands/T1/1/bench",
        "trigger_id": f"{run}.{index}.bench",
    }
    body = urllib.parse.urlencode(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, SIGNING_SECRET)}
    return body.encode(), headers


async def count_kudos(database_url: str) -> int:
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            return int((await connection.execute(text("SELECT count(*) FROM kudos"))).scalar_one())
    finally:
        await database.dispose()


async def load_workspace(database_url: str, scale: Scale) -> None:
    """The organisation with its kudos history, summarised up to today as a running workspace's nightly roll-up has
    (the server, in UTC by default, would otherwise catch up on the whole history during the measurement)."""
    database = Database(database_url)
    try:
        await load_organisation(database, scale)
        await roll_up(database, zone=ZoneInfo("UTC"), now=datetime.now(UTC))
    finally:
        await database.dispose()


async def measure(
    engine: str, database_url: str, *, requests: int, workers: int = 1, warmup: int = 300, newcomers: int = 0
) -> IngestFigures:
    """Run the ingest benchmark on a migrated, empty database, with `workers` server processes on the port; with
    `newcomers`, the measured commands come from that many people Bravo has never seen (the warm-up's from known
    people)."""
    scale = Scale(people=2_000, teams=200, kudos=HISTORY, pulse_answers=0)
    await load_workspace(database_url, scale)
    run = str(int(time.time()))
    with fake_slack() as slack_url:
        port = free_port()
        environment = bravo_environment(database_url, slack_url, port, BRAVO_WORKERS=str(workers))
        with process([sys.executable, "-m", "bot", "run"], environment) as bravo:
            await wait_healthy(port)
            await _wait_for_workers(bravo.pid, workers - 1)
            url = f"http://127.0.0.1:{port}/slack/events"
            await run_load(url, lambda i: kudos_request(i, scale.people, run + "w"), warmup, CONCURRENCY)
            await asyncio.sleep(1)
            idle = family_megabytes(bravo.pid)
            before = await count_kudos(database_url)
            sampler = asyncio.create_task(_peak_memory(bravo.pid))
            cpu_before, client_before, database_before = family_cpu_seconds(bravo.pid), own_cpu(), database_cpu()
            result = await run_load(
                url, lambda i: kudos_request(i, scale.people, run, newcomers), requests, CONCURRENCY
            )
            cpu = family_cpu_seconds(bravo.pid) - cpu_before
            client_cpu, database_used = own_cpu() - client_before, database_cpu() - database_before
            sampler.cancel()
            peak = await _result(sampler)
            durable = await count_kudos(database_url) - before
    bare = await measure_bare(requests, scale.people, run, workers)
    return IngestFigures(engine, workers, result, durable, bare, idle, peak, cpu, client_cpu, database_used)


async def measure_bare(requests: int, people: int, run: str, workers: int = 1) -> LoadResult:
    """The baseline, with as many processes sharing the port as Bravo had."""
    port = free_port()
    arguments = [sys.executable, "-m", "bench.bare_server", "--port", str(port), "--secret", SIGNING_SECRET]
    with contextlib.ExitStack() as stack:
        for _ in range(workers):
            stack.enter_context(process([*arguments, "--reuse-port"], bravo_environment("", "", port)))
        await wait_healthy(port)
        url = f"http://127.0.0.1:{port}/slack/events"
        await run_load(url, lambda i: kudos_request(i, people, run + "bw"), 300, CONCURRENCY)
        return await run_load(url, lambda i: kudos_request(i, people, run + "b"), requests, CONCURRENCY)


def over_family(pid: int, measure: Callable[[int], float]) -> float:
    """A measure of a process added up with that of the worker processes it started."""
    return measure(pid) + sum(measure(child) for child in children_of(pid))


def family_megabytes(pid: int) -> float:
    return over_family(pid, resident_megabytes)


def own_cpu() -> float:
    """CPU used so far by this process: the load generator."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def database_cpu() -> float:
    """CPU used so far by the local PostgreSQL server's processes (0 when it runs elsewhere or for SQLite)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in {"postgres", "postmaster"}:
                    total += cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


def family_cpu_seconds(pid: int) -> float:
    return over_family(pid, cpu_seconds)


async def _wait_for_workers(pid: int, count: int, timeout: float = 60.0) -> None:
    """Until the extra server processes have started (they answer once their sockets are bound)."""
    deadline = time.monotonic() + timeout
    while len(children_of(pid)) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(3 if count else 0)


async def _peak_memory(pid: int) -> float:
    peak = 0.0
    try:
        while True:
            peak = max(peak, family_megabytes(pid))
            await asyncio.sleep(0.05)
    except asyncio.CancelledError:
        return peak


async def _result(task: asyncio.Task[float]) -> float:
    try:
        return await task
    except asyncio.CancelledError:
        return float("nan")
