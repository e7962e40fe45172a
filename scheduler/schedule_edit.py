"""A team's own digest schedules, time zone and digest channels: the rules behind `bravo schedule set` and `show`.

A schedule is stored in its canonical form (`tue 08:30`, `off`), or left empty to follow the settings again
(`default`), so what `show` prints is what the scheduler reads. Every value is checked before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.digest import MANAGER_DIGEST, TEAM_DIGEST
from handlers.errors import RuleError, _
from handlers.policy import Policy
from scheduler.config import SchedulerConfig
from scheduler.digests import plan_digests
from scheduler.schedules import OFF, Schedule, ScheduleError, parse_schedule
from storage import people as people_store
from storage import schedule as schedule_store
from storage.models import Team, TeamSchedule

DEFAULT = "default"
INVALID_SCHEDULE = "invalid_schedule"
UNKNOWN_ZONE = "unknown_zone"
UNKNOWN_TEAM = "unknown_team"


class ScheduleEditError(RuleError):
    """A schedule change the rules refuse: a spec that cannot be read, an unknown time zone or team."""

    messages = {
        INVALID_SCHEDULE: _("Invalid schedule: {error}"),
        UNKNOWN_ZONE: _("Unknown time zone {zone}."),
        UNKNOWN_TEAM: _("No team is called {name}."),
    }


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    """What an admin asks to change for one team; None leaves a field as stored.

    Schedules and the time zone take `default` to follow the settings again (an empty time zone too); an empty
    channel removes the team's channel.
    """

    team: str
    manager_digest: str | None = None
    team_digest: str | None = None
    timezone: str | None = None
    slack_channel: str | None = None
    teams_channel: str | None = None


@dataclass(frozen=True, slots=True)
class TeamSchedules:
    """When a team's digests go out; a zone is None when the digest is not planned (off, or nobody to send to)."""

    team: str
    manager_digest: str
    manager_zone: str | None
    team_digest: str
    team_zone: str | None


@dataclass(frozen=True, slots=True)
class ScheduleOverview:
    """The workspace's leaderboard schedule and time zone, and every team's digests."""

    leaderboard: str
    timezone: str
    teams: list[TeamSchedules]


def spec_of(schedule: Schedule | None) -> str:
    """A schedule as `show` prints it and the database stores it."""
    return schedule.spec() if schedule is not None else OFF


def stored_schedule(value: str) -> str | None:
    """The stored form of a schedule as written: canonical, or None for `default`; raises `ScheduleEditError`."""
    if value.strip().lower() == DEFAULT:
        return None
    try:
        return spec_of(parse_schedule(value))
    except ScheduleError as error:
        raise ScheduleEditError(INVALID_SCHEDULE, error=str(error)) from None


def stored_zone(value: str) -> str | None:
    """The stored form of a time zone as written: its IANA name, or None to follow the settings."""
    name = value.strip()
    if not name or name.lower() == DEFAULT:
        return None
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        raise ScheduleEditError(UNKNOWN_ZONE, zone=value) from None
    return name


def _stored_fields(change: ScheduleChange) -> dict[str, str | None]:
    """The team schedule's fields to change, checked, in their stored form."""
    fields: dict[str, str | None] = {}
    for field, value in (("manager_digest", change.manager_digest), ("team_digest", change.team_digest)):
        if value is not None:
            fields[field] = stored_schedule(value)
    if change.timezone is not None:
        fields["timezone"] = stored_zone(change.timezone)
    return fields


async def edit_schedule(session: AsyncSession, change: ScheduleChange, *, now: datetime) -> Team:
    """Store a team's schedule change and return the team; raises `ScheduleEditError` (nothing stored)."""
    fields = _stored_fields(change)
    team = await people_store.team_by_name(session, name=change.team)
    if team is None or team.id is None:
        raise ScheduleEditError(UNKNOWN_TEAM, name=change.team)
    row = await schedule_store.get_team_schedule(session, team_id=team.id) or TeamSchedule(team_id=team.id)
    for field, value in fields.items():
        setattr(row, field, value)
    row.updated_at = now
    await schedule_store.save_team_schedule(session, row)
    if change.slack_channel is not None:
        team.slack_channel = change.slack_channel.strip() or None
    if change.teams_channel is not None:
        team.teams_channel = change.teams_channel.strip() or None
    await people_store.save(session, team)
    return team


async def schedule_overview(
    session: AsyncSession, *, config: SchedulerConfig, policy: Policy, now: datetime
) -> ScheduleOverview:
    """Every team's digest schedules (its own, else the settings') and the time zone each is planned in."""
    teams = await people_store.all_teams(session)
    overrides = await schedule_store.team_schedules(session)
    planned = await plan_digests(session, config=config, policy=policy, now=now, force=True, include_claimed=True)
    zones: dict[tuple[str, int], str] = {}
    for item in planned:
        for team in item.teams:
            zones[(item.kind, team.id or 0)] = item.zone.key
    rows = []
    for team in teams:
        override = overrides.get(team.id or 0)
        rows.append(
            TeamSchedules(
                team=team.name,
                manager_digest=(override.manager_digest if override else None) or spec_of(config.manager_digest),
                manager_zone=zones.get((MANAGER_DIGEST, team.id or 0)),
                team_digest=(override.team_digest if override else None) or spec_of(config.team_digest),
                team_zone=zones.get((TEAM_DIGEST, team.id or 0)),
            )
        )
    return ScheduleOverview(leaderboard=spec_of(config.leaderboard), timezone=config.timezone, teams=rows)
