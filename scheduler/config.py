"""What the scheduler needs from the settings, as plain values (the scheduler never reads the environment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from scheduler.schedules import Schedule, parse_schedule


@dataclass(frozen=True)
class SchedulerConfig:
    """Workspace-wide schedules; teams may override the digest ones (`team_schedule`).

    `platforms` are the configured chat platforms; none means the console demo, where posts show in the terminal.
    """

    timezone: str = "UTC"
    manager_digest: Schedule | None = field(default_factory=lambda: parse_schedule("mon 09:00"))
    team_digest: Schedule | None = field(default_factory=lambda: parse_schedule("fri 15:00"))
    org_digest: Schedule | None = field(default_factory=lambda: parse_schedule("mon 09:00"))
    leaderboard: Schedule | None = field(default_factory=lambda: parse_schedule("fri 16:00"))
    leaderboard_channels: tuple[tuple[str, str], ...] = ()
    grace: timedelta = timedelta(hours=24)
    tick_seconds: int = 60
    # Handled event ids and processed inbox rows are deleted once this old (`scheduler.housekeeping`).
    handled_events_window: timedelta = timedelta(days=7)
    platforms: tuple[str, ...] = ()
