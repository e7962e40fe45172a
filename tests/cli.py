"""Running the real `bravo` command in a child process, with a clean environment, as a user would."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_SECONDS = 120
# Every child process gets the tests' key, so that none creates `./data/bravo.key` in the checkout; the tests of
# the key itself pass `BRAVO_SECRET_KEY=""` and their own `BRAVO_SECRET_KEY_FILE`.


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any Bravo, Slack or Teams setting, plus the tests' secret key (pulses
    need one) and `settings`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MICROSOFT_", "TEAMS_", "BRAVO_", "DATABASE_URL"))
    }
    environment["BRAVO_SECRET_KEY"] = TEST_SECRET_KEY
    environment.update(settings)
    return environment


def run_bravo(*args: str, database_url: str, stdin: str = "", **settings: str) -> subprocess.CompletedProcess[str]:
    """`bravo ARGS` to completion, for tests that need no server of their own running meanwhile."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=clean_environment(**{"DATABASE_URL": database_url, **settings}),
        cwd=ROOT,
        timeout=TIMEOUT_SECONDS,
    )


async def run_bravo_async(*args: str, database_url: str, **settings: str) -> tuple[int, str, str]:
    """`bravo ARGS` while this test's event loop keeps serving (a fake Slack or Bot Connector in the same loop)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=clean_environment(**{"DATABASE_URL": database_url, **settings}),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=TIMEOUT_SECONDS)
    return int(process.returncode or 0), out.decode(), err.decode()
