"""What the organisation digest shows, gathered from the features' public functions.

Pulse figures come only from `handlers.pulse`'s report, already suppressed below the anonymity threshold: a hidden
group or question carries no number, and stays an empty cell here. Recognition and rewards are counts over teams,
never over people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.digest.data import QUIET_DAYS
from handlers.pulse import ENPS_DRIVER, DriverResult, GroupResult, PulseReport
from handlers.pulse import Measure as PulseMeasure
from handlers.rewards import Standing, reached_since, standings
from storage import actions as actions_store
from storage import digest as digest_store
from storage import people as people_store
from storage.digest import KudosTally
from storage.models import Team


@dataclass(frozen=True)
class ActionPlanCounts:
    """Team action plans started and done in the digest's window."""

    started: int
    done: int


async def action_plan_counts(session: AsyncSession, *, since: datetime, until: datetime) -> ActionPlanCounts | None:
    """The team actions committed (started) and marked done in `[since, until)`; None when there were none at all,
    so that the digest leaves the line out rather than show zeros that mean nothing."""
    started, done = await actions_store.counts_between(session, since=since, until=until)
    return ActionPlanCounts(started, done) if started or done else None


@dataclass(frozen=True)
class Measure:
    """A figure and its change since the previous measure (None when there is nothing to compare with)."""

    value: float
    change: float | None

    @property
    def previous(self) -> float | None:
        return None if self.change is None else self.value - self.change


@dataclass(frozen=True)
class GridRow:
    """One team's driver scores; a driver missing from `scores` is hidden (or was not asked): an empty cell.
    `open`: the team's latest pulse is still running, so nothing of it is readable yet."""

    team: str
    scores: dict[str, float]
    open: bool = False


@dataclass(frozen=True)
class OrgData:
    """Everything one organisation digest shows."""

    period: str | None
    answered: int | None
    invited: int | None
    participation: Measure | None
    enps: Measure | None
    drivers: tuple[DriverResult, ...]
    grid: tuple[GridRow, ...]
    grid_drivers: tuple[str, ...]
    people: int
    recognised: int
    teams_without_kudos: tuple[str, ...]
    plans: ActionPlanCounts | None
    rewards: tuple[Standing, ...]
    reached: tuple[Standing, ...]
    enps_measures: tuple[PulseMeasure, ...] = ()


def enps_measure(group: GroupResult) -> Measure | None:
    """The group's eNPS with its change, when the threshold lets it show."""
    for result in group.questions:
        stats = result.stats
        if result.question.driver == ENPS_DRIVER and not result.hidden and stats and stats.enps is not None:
            return Measure(stats.enps, result.change)
    return None


def _participation(group: GroupResult) -> Measure | None:
    if group.participation is None:
        return None
    return Measure(group.participation, group.participation_change)


def pulse_grid(report: PulseReport) -> tuple[tuple[GridRow, ...], tuple[str, ...]]:
    """Teams × drivers from the suppressed report: a hidden or still open group has no scores at all."""
    rows: list[GridRow] = []
    drivers: list[str] = []
    for group in report.teams:
        shown = () if group.hidden or not group.closed else group.drivers
        scores = {item.driver: item.score for item in shown if item.driver != ENPS_DRIVER}
        drivers.extend(driver for driver in scores if driver not in drivers)
        rows.append(GridRow(team=group.name, scores=scores, open=not group.hidden and not group.closed))
    return tuple(rows), tuple(drivers)


async def load_org_data(
    session: AsyncSession, *, report: PulseReport | None, now: datetime, month_start: datetime, since: datetime
) -> OrgData:
    """The organisation's figures at `now`; `month_start` is the start of the reader's calendar month (their time
    zone) and `since` the start of the digest's window."""
    teams: Sequence[Team] = await people_store.all_teams(session)
    ids = [team.id for team in teams if team.id is not None]
    sizes = await digest_store.team_sizes(session, team_ids=ids)
    recent = await digest_store.kudos_tallies(session, team_ids=ids, since=now - timedelta(days=QUIET_DAYS), until=now)
    month = await digest_store.kudos_tallies(session, team_ids=ids, since=month_start, until=now)
    team_standings, organisation = await standings(session, now=now)
    with_goal = [item for item in (*team_standings, organisation) if item.goal]
    # Goals are closed (and celebrated) as soon as they are reached: those of the window are listed with them.
    closed = await reached_since(session, since=since, until=now)
    org = report.organisation if report is not None else None
    shown = org is not None and not org.hidden and org.closed
    grid, grid_drivers = pulse_grid(report) if report is not None else ((), ())
    return OrgData(
        period=org.period if org is not None and shown else None,
        answered=org.answered if org is not None and shown else None,
        invited=org.invited if org is not None and shown else None,
        participation=_participation(org) if org is not None and shown else None,
        enps=enps_measure(org) if org is not None and shown else None,
        drivers=tuple(item for item in org.drivers if item.driver != ENPS_DRIVER) if org is not None and shown else (),
        grid=grid,
        grid_drivers=grid_drivers,
        people=sum(sizes.values()),
        recognised=sum(tally.receivers for tally in recent.values()),
        teams_without_kudos=tuple(team.name for team in teams if _kudos(month, team) == 0),
        plans=await action_plan_counts(session, since=since, until=now),
        rewards=tuple(with_goal),
        reached=(*closed, *(item for item in with_goal if item.reached)),
        enps_measures=_enps_measures(org) if org is not None and shown else (),
    )


def _enps_measures(group: GroupResult) -> tuple[PulseMeasure, ...]:
    """The organisation's eNPS over its last measures (each shown then), oldest first."""
    trend = next((item for item in group.trends if item.driver == ENPS_DRIVER), None)
    return trend.measures if trend is not None else ()


def _kudos(tallies: dict[int, KudosTally], team: Team) -> int:
    found = tallies.get(team.id or 0)
    return found.kudos if found is not None else 0
