"""Bravo's rules as plain values, so the core never reads the environment itself."""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_ANONYMITY_THRESHOLD = 3


@dataclass(frozen=True)
class Policy:
    """Workspace-wide rules the use cases apply; built once from the settings."""

    language: str = "en"
    timezone: str = "UTC"
    daily_allowance: int = 5
    max_points_per_kudos: int = 5
    max_message_length: int = 500
    kudos_emoji: str = "clap"
    recognition_channel: str | None = None
    teams_recognition_channel: str | None = None
    show_people_leaderboard: bool = True
    anonymity_threshold: int = 5
    # The chat platforms configured ("slack", "teams"); none means the console demo, where everyone reads the console.
    platforms: tuple[str, ...] = ()
    pulse_cadence: str = "weekly"
    pulse_weekday: int = 1
    pulse_time: str = "10:00"
    pulse_questions: int = 3
    pulse_window_hours: int = 48
    # Team action plans: days a plan's vote stays open, and days before its due date an owner is reminded.
    action_vote_days: int = 7
    action_reminder_days: int = 2
    # Days after an action is done that the team is asked whether it helped, and days that check-in stays open.
    action_checkin_days: int = 28
    action_checkin_window_days: int = 7
    secret_key: str = field(default="", repr=False)
    # Days raw kudos reasons and pulse comments are kept (0: forever); numbers and values are always kept.
    kudos_text_retention_days: int = 0
    comment_retention_days: int = 0
    admin_emails: frozenset[str] = field(default_factory=frozenset)
    company_values: tuple[str, ...] = ("teamwork", "ownership", "customer-first", "courage", "kindness")

    def __post_init__(self) -> None:
        if self.anonymity_threshold < MIN_ANONYMITY_THRESHOLD:
            raise ValueError(f"anonymity threshold must be at least {MIN_ANONYMITY_THRESHOLD}")
