"""Changing a pulse plan and reading every plan back: the rules behind `bravo pulse plan set` and `show`.

A change names only what it changes; every other field keeps its stored value, and an empty stored field inherits
from the layer below (see `plan.resolve_plan`). All the values are checked before anything is stored, and every
problem is reported at once, so an admin fixes a command in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.errors import Problem, RuleError, _
from handlers.policy import Policy
from handlers.pulse.plan import (
    CADENCES,
    MAX_QUESTIONS,
    MAX_WINDOW_HOURS,
    Plan,
    next_pulse_day,
    parse_clock,
    parse_weekday,
    resolve_plan,
)
from storage import people as people_store
from storage.pulse import rounds as pulse_store

UNKNOWN_CADENCE = "unknown_cadence"
UNKNOWN_WEEKDAY = "unknown_weekday"
BAD_TIME = "bad_time"
QUESTIONS_OUT_OF_RANGE = "questions_out_of_range"
WINDOW_OUT_OF_RANGE = "window_out_of_range"
UNKNOWN_TEAM = "unknown_team"


class PlanEditError(RuleError):
    """A plan change the rules refuse (every value problem at once, or an unknown team)."""

    messages = {
        UNKNOWN_CADENCE: _("unknown cadence '{value}' (use {cadences})"),
        UNKNOWN_WEEKDAY: _("unknown weekday '{value}'"),
        BAD_TIME: _("the time must look like 09:30, not '{value}'"),
        QUESTIONS_OUT_OF_RANGE: _("questions per pulse must be between 1 and {limit}"),
        WINDOW_OUT_OF_RANGE: _("the window must be between 1 and {limit} hours"),
        UNKNOWN_TEAM: _("no team is called {team}"),
    }


@dataclass(frozen=True, slots=True)
class PlanChange:
    """What an admin asks to change; None (or an empty text) leaves a field as stored.

    `team` None changes the plan of every team without its own value; `weekday` and `time` are as written
    (`fri`, `9:00`) and read here.
    """

    team: str | None = None
    cadence: str | None = None
    weekday: str | None = None
    time: str | None = None
    questions: int | None = None
    window_hours: int | None = None
    enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class TeamPlan:
    """A team's effective plan and its next pulse day (None while its pulses are off); `team` None is the plan of
    every team."""

    team: str | None
    plan: Plan
    next_day: date | None


def _checked(change: PlanChange) -> tuple[int | None, str | None]:
    """The weekday and the time read from the change; raises `PlanEditError` naming every bad value."""
    weekday = parse_weekday(change.weekday) if change.weekday else None
    clock = parse_clock(change.time) if change.time else None
    problems = []
    if change.cadence and change.cadence not in CADENCES:
        problems.append(Problem(UNKNOWN_CADENCE, {"value": change.cadence, "cadences": ", ".join(CADENCES)}))
    if change.weekday and weekday is None:
        problems.append(Problem(UNKNOWN_WEEKDAY, {"value": change.weekday}))
    if change.time and clock is None:
        problems.append(Problem(BAD_TIME, {"value": change.time}))
    if change.questions is not None and not 1 <= change.questions <= MAX_QUESTIONS:
        problems.append(Problem(QUESTIONS_OUT_OF_RANGE, {"limit": MAX_QUESTIONS}))
    if change.window_hours is not None and not 1 <= change.window_hours <= MAX_WINDOW_HOURS:
        problems.append(Problem(WINDOW_OUT_OF_RANGE, {"limit": MAX_WINDOW_HOURS}))
    if problems:
        raise PlanEditError.every(problems)
    return weekday, clock


async def edit_plan(session: AsyncSession, change: PlanChange) -> None:
    """Store a plan change; raises `PlanEditError` (nothing stored) when a value is wrong or the team unknown."""
    weekday, clock = _checked(change)
    team_id = None
    if change.team:
        team = await people_store.team_by_name(session, name=change.team)
        if team is None:
            raise PlanEditError(UNKNOWN_TEAM, team=change.team)
        team_id = team.id
    row = await pulse_store.plan_row(session, team_id=team_id)
    row.cadence = change.cadence or row.cadence
    row.weekday = weekday if weekday is not None else row.weekday
    row.local_time = clock or row.local_time
    row.questions = change.questions or row.questions
    row.window_hours = change.window_hours or row.window_hours
    row.enabled = row.enabled if change.enabled is None else change.enabled
    session.add(row)


async def plan_overview(session: AsyncSession, policy: Policy, *, today: date) -> list[TeamPlan]:
    """The plan of every team (first the one all teams share), each with its next pulse day on or after `today`."""
    rows = await pulse_store.plan_rows(session)
    teams = await people_store.all_teams(session)
    overview = []
    for name, team_id in [(None, None), *((team.name, team.id) for team in teams)]:
        plan = resolve_plan(policy, (rows.get(None), rows.get(team_id) if team_id else None))
        next_day = next_pulse_day(plan, today) if plan.enabled else None
        overview.append(TeamPlan(team=name, plan=plan, next_day=next_day))
    return overview
