"""The pulse job opens a team's action plan when its pulse closes, decides the vote when it ends and reminds the
owner, each once however often it runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from handlers import actions as actions_api
from handlers.policy import Policy
from scheduler.jobs import ScheduledJobs
from storage.db import Database
from storage.models import ActionProposal
from storage.models.actions import COMMITTED
from tests.handlers.actions.support import as_person, card_of, choice_values, closed_pulse, posts
from tests.scheduler.support import config


async def test_the_pulse_job_opens_decides_and_reminds_once(database: Database, policy: Policy, now: datetime) -> None:
    team = (await closed_pulse(database, policy, now, teams={"Engineering": 6}, close=False))["Engineering"]
    jobs = ScheduledJobs(database, config(), policy, owner="test")
    closing = now + timedelta(hours=policy.pulse_window_hours + 1)
    await jobs.pulses(closing)
    await jobs.pulses(closing + timedelta(minutes=1))
    [invitation] = await posts(database)
    [plan_id] = choice_values(card_of(invitation), "actions.propose")
    values = {"what": ("Demo day",), "owner": (str(team[1].id),), "due": ("14",)}
    await as_person(database, team[0], policy, closing, "form", "actions.propose.form", values, plan_id)
    vote = card_of((await posts(database))[-1])
    await as_person(
        database, team[0], policy, closing, "action", "actions.vote", choice_values(vote, "actions.vote")[0]
    )
    vote_ends = closing + timedelta(days=policy.action_vote_days)
    await jobs.pulses(vote_ends)
    async with database.sessions() as session:
        proposal = (await session.exec(select(ActionProposal))).one()
    assert proposal.status == COMMITTED
    assert card_of((await posts(database))[-1]).title == "Engineering commits to:"
    reminder_day = datetime.combine(proposal.due_on, closing.timetz()) - timedelta(days=policy.action_reminder_days)
    await jobs.pulses(reminder_day)
    await jobs.pulses(reminder_day + timedelta(hours=1))
    assert [row.person_id for row in await posts(database, kind="action_reminder")] == [team[1].id]


async def test_plans_that_failed_to_open_are_opened_at_the_next_run(
    database: Database, policy: Policy, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await closed_pulse(database, policy, now, teams={"Engineering": 6}, close=False)
    jobs = ScheduledJobs(database, config(), policy, owner="test")
    original, calls = actions_api.open_plans, {"count": 0}

    async def fails_once(*args: Any, **kwargs: Any) -> int:
        calls["count"] += 1
        if calls["count"] == 1:
            raise RuntimeError("database went away")
        return await original(*args, **kwargs)

    monkeypatch.setattr(actions_api, "open_plans", fails_once)
    closing = now + timedelta(hours=policy.pulse_window_hours + 1)
    await jobs.pulses(closing)
    assert await posts(database) == []
    await jobs.pulses(closing + timedelta(minutes=1))
    assert len(await posts(database)) == 1
