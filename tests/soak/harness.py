"""Real processes for the crash tests: Bravo as a child process (killed with SIGKILL), a fresh database per run, the
fake Slack Web API in this process, and signed requests fired at a fixed concurrency.

A failure prints the seed that chose the moment of the kill: `BRAVO_SOAK_SEED=<seed>` replays the same choices.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bench.databases import fresh_database as migrated_database
from bench.processes import bravo_environment, free_port
from storage.db import Database
from tests.databases import REQUIRE_POSTGRES, postgres_problem
from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[2]
SOAK = os.environ.get("BRAVO_SOAK") == "1"
ENGINES = ("sqlite", "postgresql")
START_TIMEOUT = 60.0
Request = tuple[str, bytes, dict[str, str]]


def log(message: str) -> None:
    """Progress on standard error: pytest shows it with a failure (or always with `-s`)."""
    sys.stderr.write(f"[soak] {message}\n")
    sys.stderr.flush()


def base_seed() -> int:
    """`BRAVO_SOAK_SEED` when set (to replay a failure), else a fresh one."""
    configured = os.environ.get("BRAVO_SOAK_SEED")
    return int(configured) if configured else random.SystemRandom().randrange(1, 1_000_000)


@asynccontextmanager
async def fresh_database(engine: str, folder: Path) -> AsyncIterator[str]:
    """An empty, migrated database on `engine` for one run (the benchmarks' own); without a PostgreSQL server the
    PostgreSQL run is skipped with the reason, or fails where CI requires the server."""
    if engine == "postgresql":
        problem = await postgres_problem()
        if problem:
            if REQUIRE_POSTGRES:
                pytest.fail(problem)
            pytest.skip(problem)
    async with migrated_database(engine, folder) as url:
        yield url


async def scalar(database: Database, sql: str) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(text(sql))).scalar_one())


def slow_acknowledgements(api: FakeSlackApi, seconds: float) -> None:
    """Slack posts each message at once but answers `seconds` later: a kill in between leaves it in doubt."""

    async def post_then_wait(args: dict[str, object]) -> dict[str, object]:
        body = api.default_response("chat.postMessage", args)
        await api.stall(seconds)
        return body

    api.responses_for("chat.postMessage", post_then_wait)


def delivered_markers(api: FakeSlackApi) -> dict[int, list[str]]:
    """Outbox id -> the `channel:ts` of every message Slack holds that carries it."""
    found: dict[int, list[str]] = {}
    for channel, messages in list(api.workspace.history.items()):
        for _when, message in list(messages):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if "outbox_id" in payload:
                found.setdefault(int(payload["outbox_id"]), []).append(f"{channel}:{message['ts']}")
    return found


def messages_in(api: FakeSlackApi, channel: str) -> int:
    return len(api.workspace.history.get(channel, []))


@dataclass
class Child:
    """One Bravo process (`python -m bot …`), its output in a log file kept for a failure's report."""

    arguments: list[str]
    environment: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as output:
            output.write(f"\n--- {' '.join(self.arguments)} ---\n".encode())
            output.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", *self.arguments],
                cwd=ROOT,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def send_kill(self) -> None:
        """SIGKILL without waiting (from inside the request loop); `kill` reaps it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL, then reap: a dead process must not linger as a zombie."""
        self.send_kill()
        if self.process is not None:
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    async def finish(self, timeout: float = 60.0) -> int:
        """Wait for a one-shot command to end; its exit code."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"`bravo {' '.join(self.arguments)}` still running after {timeout:.0f}s")
            await asyncio.sleep(0.05)
        return int(self.process.returncode)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def recovered(self) -> int:
        """Deliveries in doubt after the kill that Slack turned out to hold already (not sent again)."""
        return self.log_path.read_text(errors="replace").count("had already reached")


@dataclass
class Server(Child):
    """`bravo run`: Slack over HTTP with its outbox worker and scheduler."""

    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    @property
    def teams_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/messages"

    async def start_healthy(self) -> None:
        self.start()
        deadline = time.monotonic() + START_TIMEOUT
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(f"bravo run exited with {self.process.returncode}:\n{self.output()}")
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"bravo run not healthy after {START_TIMEOUT:.0f}s:\n{self.output()}")


def environment(database_url: str, api: FakeSlackApi, *, port: int | None = None, **extra: str) -> dict[str, str]:
    """Bravo's settings for a crash test: Slack at the fake, no pacing unless asked, no scheduled digests."""
    values = {
        "BRAVO_OUTBOX_RATE": "0",
        "BRAVO_OUTBOX_CHANNEL_INTERVAL": "0",
        "BRAVO_MANAGER_DIGEST_CRON": "off",
        "BRAVO_TEAM_DIGEST_CRON": "off",
        "BRAVO_ORG_DIGEST_CRON": "off",
        "BRAVO_LEADERBOARD_CRON": "off",
        "BRAVO_LOG_LEVEL": "INFO",
        **extra,
    }
    settings = bravo_environment(database_url, api.base_url, port or free_port())
    settings.update(values)
    return settings


@dataclass
class Outcome:
    status: int | None = None
    body: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def fire(
    indexes: list[int],
    build: Callable[[int, int], Request],
    *,
    concurrency: int,
    attempt: int = 0,
    after_each: Callable[[int], None] | None = None,
) -> dict[int, Outcome]:
    """POST each request once at `concurrency`, built for its `attempt`-th sending (0: the first, then resends);
    `after_each(done)` runs after every answer (or failure)."""
    outcomes: dict[int, Outcome] = {}
    queue = list(reversed(indexes))

    async def worker(session: aiohttp.ClientSession) -> None:
        while queue:
            index = queue.pop()
            url, body, headers = build(index, attempt)
            outcome = Outcome()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    outcome = Outcome(response.status, await response.text())
            except (aiohttp.ClientError, TimeoutError) as error:
                outcome = Outcome(None, type(error).__name__)
            outcomes[index] = outcome
            if after_each is not None:
                after_each(len(outcomes))

    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return outcomes


def slack_resend(url: str, request: tuple[bytes, dict[str, str]], attempt: int) -> Request:
    """A Slack request as sent the `attempt`-th time: resends carry `X-Slack-Retry-Num`."""
    body, headers = request
    if attempt:
        headers = {**headers, "X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
    return url, body, headers


async def wait_for(
    predicate: Callable[[], object], *, timeout: float, what: Callable[[], str], watch: Child | None = None
) -> None:
    """Poll a predicate until it holds; fails at once if the `watch`ed process ended first."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if watch is not None and watch.process is not None and watch.process.poll() is not None:
            raise AssertionError(f"{what()}: the process ended first (exit {watch.process.returncode})")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what()}")
        await asyncio.sleep(0.01)
