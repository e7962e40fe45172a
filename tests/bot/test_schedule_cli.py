"""`bravo schedule status` names teams and people under a header, and `bravo digest send --dry-run` previews a
digest even once it has gone out; run in-process on the test's database, no platform configured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from handlers.rewards import set_goal
from scheduler.goals import GoalWatch, celebrate_goals
from storage import people as people_store
from storage.models.base import utcnow
from tests.bot.test_pulse_cli import run
from tests.scheduler.support import give, seed_database


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


async def test_a_reward_reached_is_listed_with_its_team(runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    now = utcnow()
    async with runtime.database.transaction() as session:
        engineering = await people_store.team_by_name(session, name="Engineering")
        bob = await people_store.person_by_email(session, email="bob@acme.test")
        grace = await people_store.person_by_email(session, email="grace@acme.test")
        assert engineering is not None and bob is not None and grace is not None
        await set_goal(session, team_id=engineering.id, points=2, reward="Team lunch", now=now - timedelta(hours=1))
        await give(session, grace, [bob], at=now - timedelta(minutes=1), points=2)
    await celebrate_goals(runtime.database, policy=runtime.policy, watch=GoalWatch(), now=now, owner="test")
    code, out, _ = await run(runtime, capsys, "schedule", "status")
    assert code == 0
    rows = [row.split()[2:6] for row in out.splitlines()]
    assert ["reward", "reached", "Engineering", "round-1"] in rows, out
