"""Changing pulse plans as an admin does: layered per team, every bad value named at once, nothing stored on refusal."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.i18n import Translator
from handlers.policy import Policy
from handlers.pulse import PlanChange, PlanEditError, edit_plan, plan_overview
from handlers.pulse.plan_edit import (
    BAD_TIME,
    QUESTIONS_OUT_OF_RANGE,
    UNKNOWN_CADENCE,
    UNKNOWN_TEAM,
    UNKNOWN_WEEKDAY,
    WINDOW_OUT_OF_RANGE,
)
from storage.db import Database
from storage.pulse import rounds as pulse_store
from tests.conftest import both_engines
from tests.handlers.pulse.test_support import seed_org

TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.fixture
async def teams(database: Database) -> None:
    async with database.transaction() as session:
        await seed_org(session, {"Engineering": 2, "Sales": 2})


async def _overview(database: Database, policy: Policy) -> dict[str | None, str]:
    async with database.sessions() as session:
        plans = await plan_overview(session, policy, today=TODAY)
    return {
        item.team: f"{item.plan.cadence} {item.plan.weekday} {item.plan.local_time} {item.plan.questions} "
        f"{item.plan.window_hours} {item.plan.enabled} {item.next_day}"
        for item in plans
    }


@both_engines
async def test_a_team_plan_overrides_the_plan_every_team_shares(
    database: Database, policy: Policy, teams: None
) -> None:
    async with database.transaction() as session:
        await edit_plan(session, PlanChange(cadence="biweekly"))
        await edit_plan(
            session,
            PlanChange(team="sales", cadence="monthly", weekday="Fri", time="9:00", questions=4, window_hours=72),
        )
    plans = await _overview(database, policy)
    assert list(plans) == [None, "Engineering", "Sales"]
    assert plans[None] == plans["Engineering"] == "biweekly 1 10:00 3 48 True 2026-11-24"
    assert plans["Sales"] == "monthly 4 09:00 4 72 True 2026-12-04"
    async with database.transaction() as session:
        await edit_plan(session, PlanChange(team="Sales", enabled=False, weekday="", time=""))
    assert (await _overview(database, policy))["Sales"] == "monthly 4 09:00 4 72 False None"


async def test_every_bad_value_is_named_at_once_and_nothing_is_stored(database: Database, teams: None) -> None:
    change = PlanChange(cadence="daily", weekday="someday", time="25:00", questions=0, window_hours=24 * 15)
    with pytest.raises(PlanEditError) as refused:
        async with database.transaction() as session:
            await edit_plan(session, change)
    error = refused.value
    codes = [problem.code for problem in error.problems]
    assert codes == [UNKNOWN_CADENCE, UNKNOWN_WEEKDAY, BAD_TIME, QUESTIONS_OUT_OF_RANGE, WINDOW_OUT_OF_RANGE]
    assert error.code == UNKNOWN_CADENCE and error.values["value"] == "daily"
    english = error.message(Translator("en"))
    assert "\n" not in english and "'someday'" in english and "not '25:00'" in english and "336 hours" in english
    assert "jour de la semaine inconnu « someday »" in error.message(Translator("fr"))
    async with database.sessions() as session:
        assert await pulse_store.plan_rows(session) == {}


async def test_an_unknown_team_is_refused_without_storing_anything(database: Database, teams: None) -> None:
    with pytest.raises(PlanEditError) as refused:
        async with database.transaction() as session:
            await edit_plan(session, PlanChange(team="Nobody", questions=2))
    assert refused.value.code == UNKNOWN_TEAM and refused.value.values == {"team": "Nobody"}
    assert refused.value.message(Translator("en")) == "no team is called Nobody"
    async with database.sessions() as session:
        assert await pulse_store.plan_rows(session) == {}
