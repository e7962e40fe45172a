"""The kudos summary's roll-up as a scheduled job: the days that closed join the leaderboards' summary.

It runs every few minutes rather than once at midnight: a run with nothing to add only folds in the changes the
triggers journalled, and one after a downtime (or the first one, on an existing history) catches up a week per
transaction. Overlapping runs, here or on another replica, wait for each other's lock and find nothing left to do,
so no claim is needed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from handlers.context import timezone_of
from handlers.policy import Policy
from storage.db import Database
from storage.kudos.rollup import RollUpReport, roll_up

log = logging.getLogger(__name__)

SUMMARY_JOB = "kudos_summary"


async def roll_up_summary(database: Database, *, policy: Policy, now: datetime) -> RollUpReport:
    """Bring the summary up to today's start in the workspace zone (the zone the leaderboards' periods use)."""
    report = await roll_up(database, zone=timezone_of(None, policy), now=now)
    if report.days or report.changes or report.rebuilt:
        log.info(
            "kudos summary: %d days added, %d later changes folded in%s",
            report.days,
            report.changes,
            " (rebuilt for a new time zone)" if report.rebuilt else "",
        )
    return report
