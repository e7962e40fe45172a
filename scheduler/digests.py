"""Which digests are due, for whom, in which period, and sending each exactly once.

Manager digests and organisation digests (one per admin) follow each reader's own time zone; team digests the
team's (its override, else its manager's, else the workspace's). A digest is due once its local fire time has
passed, within the catch-up grace; the claim `(kind, target, period)` taken in the transaction that queues it makes
it go out once across ticks, restarts, replicas and the `bravo digest send --now` command.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import timezone_of
from handlers.delivery import team_channels as delivery_channels
from handlers.digest import MANAGER_DIGEST, ORG_DIGEST, TEAM_DIGEST, Window
from handlers.policy import Policy
from scheduler.config import SchedulerConfig
from scheduler.schedules import Schedule, parse_schedule, zone_named
from storage import people as people_store
from storage import rewards as rewards_store
from storage import schedule as schedule_store
from storage.models import Person, Team, TeamSchedule


@dataclass(frozen=True)
class DueDigest:
    """One digest to send: to a manager (about their teams) or to a team's channels."""

    kind: str
    target: str
    period: str
    zone: ZoneInfo
    window: Window
    teams: tuple[Team, ...]
    manager: Person | None = None
    channels: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return schedule_store.claim_key(self.kind, self.target, self.period)


def _override(text: str | None, default: Schedule | None) -> Schedule | None:
    """A team's stored spec, else the workspace's; a spec that no longer parses falls back too."""
    if not text:
        return default
    try:
        return parse_schedule(text)
    except ValueError:
        return default


def timing(
    schedule: Schedule, zone: ZoneInfo, now: datetime, config: SchedulerConfig, *, force: bool
) -> tuple[str, Window] | None:
    """The period and window of a post at `now`, or None when no fire time is within the grace window.

    On schedule the window is the span between the last two fire times, so every kudos lands in exactly one
    digest; `force` (the CLI's `--now`) takes the period containing `now` and the same span ending now.
    """
    fire = schedule.latest(now, zone)
    previous = schedule.previous(fire, zone)
    if force:
        return schedule.period(now, zone), Window.of(now - (fire - previous), now)
    if now - fire > config.grace:
        return None
    return schedule.period(fire, zone), Window.of(previous, fire)


def team_channels(team: Team, config: SchedulerConfig) -> tuple[tuple[str, str], ...]:
    """Where a team's digest goes: its channel on each configured platform; a console channel in the demo."""
    return delivery_channels(team, config.platforms)


async def plan_digests(
    session: AsyncSession,
    *,
    config: SchedulerConfig,
    policy: Policy,
    now: datetime,
    force: bool = False,
    team_name: str | None = None,
    include_claimed: bool = False,
    kinds: frozenset[str] | None = None,
) -> list[DueDigest]:
    """Every digest due at `now` (of `kinds`, default all) that has not been claimed yet (one query each for teams,
    overrides, admins, claims). The organisation digest is about no team: `team_name` leaves it out."""
    teams = await people_store.all_teams(session)
    if team_name:
        teams = [team for team in teams if team.name.lower() == team_name.strip().lower()]
    overrides = await schedule_store.team_schedules(session)
    manager_ids = sorted({team.manager_id for team in teams if team.manager_id})
    managers = {person.id: person for person in await people_store.people_by_ids(session, ids=manager_ids)}
    workspace = zone_named(config.timezone, ZoneInfo("UTC"))
    due = _manager_digests(teams, overrides, managers, config, policy, now, force)
    due += _team_digests(teams, overrides, managers, config, policy, workspace, now, force)
    if not team_name and config.org_digest is not None:
        admins = await rewards_store.admins(session, emails=sorted(policy.admin_emails))
        due += org_digests(admins, config.org_digest, config, policy, now, force)
    due = [item for item in due if kinds is None or item.kind in kinds]
    if include_claimed:
        return due
    claimed: set[tuple[str, str, str]] = set()
    for kind in (MANAGER_DIGEST, TEAM_DIGEST, ORG_DIGEST):
        periods = {item.period for item in due if item.kind == kind}
        pairs = await schedule_store.claimed_targets(session, kind=kind, periods=periods)
        claimed.update((kind, target, period) for target, period in pairs)
    return [item for item in due if (item.kind, item.target, item.period) not in claimed]


def _manager_digests(
    teams: Sequence[Team],
    overrides: dict[int, TeamSchedule],
    managers: dict[int | None, Person],
    config: SchedulerConfig,
    policy: Policy,
    now: datetime,
    force: bool,
) -> list[DueDigest]:
    by_manager: dict[int, list[tuple[Team, Schedule]]] = defaultdict(list)
    for team in teams:
        override = overrides.get(team.id or 0)
        schedule = _override(override.manager_digest if override else None, config.manager_digest)
        manager = managers.get(team.manager_id)
        if schedule is not None and manager is not None and manager.active and manager.id is not None:
            by_manager[manager.id].append((team, schedule))
    due = []
    for manager_id, items in by_manager.items():
        manager = managers[manager_id]
        zone = timezone_of(manager, policy)
        found = timing(items[0][1], zone, now, config, force=force)
        if found is None:
            continue
        period, window = found
        due.append(
            DueDigest(
                kind=MANAGER_DIGEST,
                target=str(manager_id),
                period=period,
                zone=zone,
                window=window,
                teams=tuple(team for team, _ in items),
                manager=manager,
            )
        )
    return due


def _team_digests(
    teams: Sequence[Team],
    overrides: dict[int, TeamSchedule],
    managers: dict[int | None, Person],
    config: SchedulerConfig,
    policy: Policy,
    workspace: ZoneInfo,
    now: datetime,
    force: bool,
) -> list[DueDigest]:
    due = []
    for team in teams:
        override = overrides.get(team.id or 0)
        schedule = _override(override.team_digest if override else None, config.team_digest)
        channels = team_channels(team, config)
        if schedule is None or not channels:
            continue
        manager = managers.get(team.manager_id)
        zone = timezone_of(manager, policy) if manager is not None else workspace
        zone = zone_named(override.timezone if override else None, zone)
        found = timing(schedule, zone, now, config, force=force)
        if found is None:
            continue
        period, window = found
        due.append(
            DueDigest(
                kind=TEAM_DIGEST,
                target=str(team.id),
                period=period,
                zone=zone,
                window=window,
                teams=(team,),
                channels=channels,
            )
        )
    return due


def org_digests(
    admins: Sequence[Person],
    schedule: Schedule,
    config: SchedulerConfig,
    policy: Policy,
    now: datetime,
    force: bool,
) -> list[DueDigest]:
    """One organisation digest per active admin, at the scheduled time in the admin's own time zone."""
    due = []
    for admin in admins:
        if admin.id is None or not admin.active or admin.is_bot:
            continue
        zone = timezone_of(admin, policy)
        found = timing(schedule, zone, now, config, force=force)
        if found is None:
            continue
        period, window = found
        due.append(
            DueDigest(
                kind=ORG_DIGEST, target=str(admin.id), period=period, zone=zone, window=window, teams=(), manager=admin
            )
        )
    return due
