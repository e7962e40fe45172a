"""Starting and stopping the processes a benchmark measures: Bravo itself, the baseline, the fake Slack API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "bench-signing-secret"
# Pulses need BRAVO_SECRET_KEY to make their ballots.
SECRET_KEY = "bench-secret-key-for-pulse-ballots"

BENCH_SECRET_KEY = "benchmark-secret-key-0123456789abcdefghijkl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_environment(**extra: str) -> dict[str, str]:
    """This environment without Bravo's settings, plus `extra` and a secret key (a server refuses to start without)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MICROSOFT_", "TEAMS_", "BRAVO_", "DATABASE_URL"))
    }
    environment["BRAVO_SECRET_KEY"] = BENCH_SECRET_KEY
    environment.update(extra)
    return environment


async def wait_healthy(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing healthy on port {port} after {timeout:.0f}s")


@contextmanager
def process(arguments: list[str], environment: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    child = subprocess.Popen(
        arguments, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@contextmanager
def fake_slack(per_channel: float | None = None, workspace: float | None = None) -> Iterator[str]:
    """A fake Slack Web API process; yields its base URL."""
    arguments = [sys.executable, "-m", "bench.fake_slack"]
    if per_channel:
        arguments += ["--per-channel", str(per_channel)]
    if workspace:
        arguments += ["--workspace", str(workspace)]
    with process(arguments, clean_environment()) as child:
        assert child.stdout is not None
        yield child.stdout.readline().strip()


def bravo_environment(database_url: str, slack_api_url: str, port: int, **extra: str) -> dict[str, str]:
    return clean_environment(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_api_url,
        HOST="127.0.0.1",
        PORT=str(port),
        BRAVO_LOG_LEVEL="WARNING",
        BRAVO_DAILY_ALLOWANCE="1000",
        BRAVO_RECOGNITION_CHANNEL="C_KUDOS",
        BRAVO_SECRET_KEY=SECRET_KEY,
        **extra,
    )


def children_of(pid: int) -> list[int]:
    """The process's direct children, from /proc."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_megabytes(pid: int) -> float:
    """The process's resident set size, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
