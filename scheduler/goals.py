"""The minute look at reward goals: a pot that kudos took over its goal is celebrated within a minute or so.

Giving kudos stays as fast as it was (nothing is added to its transaction): this job finds, with one index range
over the kudos received since its last look, the teams whose pots may have moved, and reads only their pots (and
the organisation's). At start and every hour it reads every pot, so a goal reached while no process was looking, or
through a kudos stamped in the past, is found too. The look reads without writing; only a goal reached opens a
write transaction, where `handlers.rewards.celebrate_reached` claims, closes and celebrates it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.policy import Policy
from handlers.rewards import celebrate_reached, standings
from storage import rewards as rewards_store
from storage.db import Database

# Kudos committed a little after the moment they are stamped with (or on a replica whose clock is a little behind)
# are still seen by the next look.
OVERLAP = timedelta(minutes=1)
FULL_LOOK = timedelta(hours=1)
GOALS_JOB = "reward_goals"


@dataclass
class GoalWatch:
    """When this process last looked, and last looked at every pot (in memory: a restart looks at every pot)."""

    looked_at: datetime | None = None
    full_at: datetime | None = None

    def since(self, now: datetime) -> datetime | None:
        """The kudos to look at: from this moment on; None for a look at every pot."""
        if self.looked_at is None or self.full_at is None or now - self.full_at >= FULL_LOOK:
            return None
        return min(self.looked_at, now) - OVERLAP

    def looked(self, now: datetime, *, full: bool) -> None:
        self.looked_at = now
        if full:
            self.full_at = now


async def celebrate_goals(database: Database, *, policy: Policy, watch: GoalWatch, now: datetime, owner: str) -> int:
    """Celebrate the goals reached since the last look; returns how many this process celebrated."""
    since = watch.since(now)
    team_ids: set[int] | None = None
    async with database.sessions() as session:
        if since is not None:
            moved = await rewards_store.recipient_teams_since(session, since=since)
            if not moved:
                watch.looked(now, full=False)
                return 0
            team_ids = {team_id for team_id in moved if team_id is not None}
        teams, organisation = await standings(session, now=now, team_ids=team_ids)
    reached = [item.team.id for item in teams if item.reached and item.team is not None and item.team.id is not None]
    celebrated = 0
    if reached or organisation.reached:
        async with database.transaction() as session:
            done = await celebrate_reached(
                session, policy=policy, now=now, owner=owner, team_ids=reached, org=organisation.reached
            )
        celebrated = len(done)
    watch.looked(now, full=since is None)
    return celebrated
