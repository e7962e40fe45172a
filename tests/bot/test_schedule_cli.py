"""`bravo schedule status` names teams and people under a header, and `bravo digest send --dry-run` previews a
digest even once it has gone out; run in-process on the test's database, no platform configured."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from tests.bot.test_pulse_cli import run
from tests.scheduler.support import seed_database


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        await seed_database(opened.database)
        yield opened


async def test_schedule_status_names_teams_and_managers_under_a_header(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = await run(runtime, capsys, "digest", "send", "--now")
    assert code == 0, err
    code, out, _ = await run(runtime, capsys, "schedule", "status")
    header, *rows = out.splitlines()
    assert header.split() == ["claimed", "(UTC)", "post", "for", "period", "status", "messages", "by"]
    shown = {" ".join(row.split()[2:5]) for row in rows}
    assert {"manager digest Alice", "team digest Engineering", "team digest Sales"} <= shown, out


async def test_a_dry_run_previews_a_digest_already_sent(runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    assert (await run(runtime, capsys, "digest", "send", "--now"))[0] == 0
    code, out, _ = await run(runtime, capsys, "digest", "send", "--now", "--dry-run", "--team", "Sales")
    assert code == 0 and "[Team digest of Sales" in out and "already gone out" not in out
    assert "already gone out" in (await run(runtime, capsys, "digest", "send", "--now"))[1]
