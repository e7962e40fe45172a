"""Ingest: signed `/kudos` slash commands over loopback at concurrency 50, against a bare signature-checking handler.

Throughput counts *durable* kudos (rows in the database after the run), not answered requests. Resident memory of
the Bravo process is sampled idle and under this load.
"""

from __future__ import annotations

import asyncio
import sys
import time
import urllib.parse
from dataclasses import dataclass

from sqlalchemy import text

from bench.load import LoadResult, run_load
from bench.org import Scale, load_organisation
from bench.processes import (
    SIGNING_SECRET,
    bravo_environment,
    fake_slack,
    free_port,
    process,
    resident_megabytes,
    wait_healthy,
)
from storage.db import Database
from tests.fakes.slack_requests import sign

CONCURRENCY = 50


@dataclass(frozen=True)
class IngestFigures:
    engine: str
    bravo: LoadResult
    durable: int
    bare: LoadResult
    idle_mb: float
    loaded_mb: float

    @property
    def durable_rate(self) -> float:
        return self.durable / self.bravo.seconds


def kudos_request(index: int, people: int, run: str) -> tuple[bytes, dict[str, str]]:
    giver = index % people + 1
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


async def measure(engine: str, database_url: str, *, requests: int, warmup: int = 300) -> IngestFigures:
    """Run the ingest benchmark on a migrated, empty database."""
    scale = Scale(people=2_000, teams=200, kudos=0, pulse_answers=0)
    database = Database(database_url)
    try:
        await load_organisation(database, scale)
    finally:
        await database.dispose()
    run = str(int(time.time()))
    with fake_slack() as slack_url:
        port = free_port()
        environment = bravo_environment(database_url, slack_url, port)
        with process([sys.executable, "-m", "bot", "run"], environment) as bravo:
            await wait_healthy(port)
            url = f"http://127.0.0.1:{port}/slack/events"
            await run_load(url, lambda i: kudos_request(i, scale.people, run + "w"), warmup, CONCURRENCY)
            await asyncio.sleep(1)
            idle = resident_megabytes(bravo.pid)
            before = await count_kudos(database_url)
            sampler = asyncio.create_task(_peak_memory(bravo.pid))
            result = await run_load(url, lambda i: kudos_request(i, scale.people, run), requests, CONCURRENCY)
            sampler.cancel()
            peak = await _result(sampler)
            durable = await count_kudos(database_url) - before
    bare = await measure_bare(requests, scale.people, run)
    return IngestFigures(engine, result, durable, bare, idle, peak)


async def measure_bare(requests: int, people: int, run: str) -> LoadResult:
    port = free_port()
    arguments = [sys.executable, "-m", "bench.bare_server", "--port", str(port), "--secret", SIGNING_SECRET]
    with process(arguments, bravo_environment("", "", port)):
        await wait_healthy(port)
        url = f"http://127.0.0.1:{port}/slack/events"
        await run_load(url, lambda i: kudos_request(i, people, run + "bw"), 300, CONCURRENCY)
        return await run_load(url, lambda i: kudos_request(i, people, run + "b"), requests, CONCURRENCY)


async def _peak_memory(pid: int) -> float:
    peak = 0.0
    try:
        while True:
            peak = max(peak, resident_megabytes(pid))
            await asyncio.sleep(0.05)
    except asyncio.CancelledError:
        return peak


async def _result(task: asyncio.Task[float]) -> float:
    try:
        return await task
    except asyncio.CancelledError:
        return float("nan")
