"""One `Settings` object read from the environment and `.env`; everything else receives values from it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from handlers.i18n import SUPPORTED_LANGUAGES
from handlers.policy import MIN_ANONYMITY_THRESHOLD, Policy
from handlers.pulse import parse_clock, parse_weekday

if TYPE_CHECKING:
    from scheduler.config import SchedulerConfig
    from scheduler.pacing import Pacer

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/bravo.db"
DEFAULT_SECRET_KEY_FILE = "./data/bravo.key"
SLACK_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    """Every setting Bravo reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    host: str = Field("0.0.0.0", validation_alias="HOST")
    port: int = Field(3000, ge=1, le=65535, validation_alias="PORT")
    # Server processes sharing the port (SO_REUSEPORT), each a full replica: one per core uses the whole machine.
    workers: int = Field(1, ge=1, le=64, validation_alias="BRAVO_WORKERS")

    slack_bot_token: str = Field("", validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field("", validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(SLACK_API_URL, validation_alias="SLACK_API_URL")

    microsoft_app_id: str = Field("", validation_alias="MICROSOFT_APP_ID")
    microsoft_app_password: str = Field("", validation_alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str = Field("", validation_alias="MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = Field(
        "MultiTenant", validation_alias="MICROSOFT_APP_TYPE"
    )
    teams_allow_unauthenticated: bool = Field(False, validation_alias="TEAMS_ALLOW_UNAUTHENTICATED")
    teams_universal_actions: bool = Field(False, validation_alias="BRAVO_TEAMS_UNIVERSAL_ACTIONS")

    timezone: str = Field("UTC", validation_alias="BRAVO_TIMEZONE")
    language: str = Field("en", validation_alias="BRAVO_LANGUAGE")
    daily_allowance: int = Field(5, ge=1, le=1000, validation_alias="BRAVO_DAILY_ALLOWANCE")
    max_points_per_kudos: int = Field(5, ge=1, le=1000, validation_alias="BRAVO_MAX_POINTS_PER_KUDOS")
    max_message_length: int = Field(500, ge=20, le=3000, validation_alias="BRAVO_MAX_MESSAGE_LENGTH")
    kudos_emoji: str = Field("clap", min_length=1, validation_alias="BRAVO_KUDOS_EMOJI")
    recognition_channel: str = Field("", validation_alias="BRAVO_RECOGNITION_CHANNEL")
    teams_recognition_channel: str = Field("", validation_alias="BRAVO_TEAMS_RECOGNITION_CHANNEL")
    show_people_leaderboard: bool = Field(True, validation_alias="BRAVO_SHOW_PEOPLE_LEADERBOARD")
    anonymity_threshold: int = Field(5, ge=MIN_ANONYMITY_THRESHOLD, validation_alias="BRAVO_ANONYMITY_THRESHOLD")
    pulse_cadence: Literal["weekly", "biweekly", "monthly"] = Field("weekly", validation_alias="BRAVO_PULSE_CADENCE")
    pulse_weekday: str = Field("tuesday", validation_alias="BRAVO_PULSE_WEEKDAY")
    pulse_time: str = Field("10:00", validation_alias="BRAVO_PULSE_TIME")
    pulse_questions: int = Field(3, ge=1, le=10, validation_alias="BRAVO_PULSE_QUESTIONS")
    pulse_window_hours: int = Field(48, ge=1, le=24 * 14, validation_alias="BRAVO_PULSE_WINDOW_HOURS")
    action_vote_days: int = Field(7, ge=1, le=60, validation_alias="BRAVO_ACTION_VOTE_DAYS")
    action_reminder_days: int = Field(2, ge=0, le=30, validation_alias="BRAVO_ACTION_REMINDER_DAYS")
    action_checkin_days: int = Field(28, ge=1, le=180, validation_alias="BRAVO_ACTION_CHECKIN_DAYS")
    action_checkin_window_days: int = Field(7, ge=1, le=14, validation_alias="BRAVO_ACTION_CHECKIN_WINDOW_DAYS")
    secret_key: str = Field("", repr=False, validation_alias="BRAVO_SECRET_KEY")
    # Where the key lives when BRAVO_SECRET_KEY is empty (`bot.secret_key`): outside the database, owner-only.
    secret_key_file: str = Field(DEFAULT_SECRET_KEY_FILE, validation_alias="BRAVO_SECRET_KEY_FILE")
    kudos_text_retention_days: int = Field(0, ge=0, le=36500, validation_alias="BRAVO_KUDOS_TEXT_RETENTION_DAYS")
    comment_retention_days: int = Field(0, ge=0, le=36500, validation_alias="BRAVO_COMMENT_RETENTION_DAYS")
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list, validation_alias="BRAVO_ADMINS")
    company_values: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["teamwork", "ownership", "customer-first", "courage", "kindness"],
        validation_alias="BRAVO_COMPANY_VALUES",
    )
    manager_digest_cron: str = Field("mon 09:00", validation_alias="BRAVO_MANAGER_DIGEST_CRON")
    team_digest_cron: str = Field("fri 15:00", validation_alias="BRAVO_TEAM_DIGEST_CRON")
    org_digest_cron: str = Field("mon 09:00", validation_alias="BRAVO_ORG_DIGEST_CRON")
    leaderboard_cron: str = Field("fri 16:00", validation_alias="BRAVO_LEADERBOARD_CRON")
    leaderboard_channel: str = Field("", validation_alias="BRAVO_LEADERBOARD_CHANNEL")
    teams_leaderboard_channel: str = Field("", validation_alias="BRAVO_TEAMS_LEADERBOARD_CHANNEL")
    schedule_grace_hours: int = Field(24, ge=1, le=24 * 6, validation_alias="BRAVO_SCHEDULE_GRACE_HOURS")
    scheduler_tick_seconds: int = Field(60, ge=5, le=3600, validation_alias="BRAVO_SCHEDULER_TICK_SECONDS")
    # Unset or 0: the outbox finds each workspace's rate itself; a number is a ceiling in messages per second.
    outbox_rate: float = Field(0.0, ge=0, le=1000, validation_alias="BRAVO_OUTBOX_RATE")
    # Unset: each platform's own per-conversation pace (Slack 1 s, Teams 1/7 s); a number applies to both.
    outbox_channel_interval: float | None = Field(None, ge=0, le=60, validation_alias="BRAVO_OUTBOX_CHANNEL_INTERVAL")
    # A slash command or form whose result takes longer is answered "working on it", once committed, and followed up
    # (a command at its response_url, a form in a direct message); Slack gives up at 3 s, network included.
    answer_seconds: float = Field(2.5, ge=0, le=2.9, validation_alias="BRAVO_ANSWER_SECONDS")
    # A stored event that fails this many times is parked (`bravo status`, `bravo inbox replay`).
    inbox_max_attempts: int = Field(5, ge=1, le=100, validation_alias="BRAVO_INBOX_MAX_ATTEMPTS")
    # Handled event ids and processed inbox rows are deleted after this many days, whatever the retention settings
    # (longer than the platforms' retry windows: Slack retries for about an hour, Teams for less).
    handled_events_days: int = Field(7, ge=1, le=3650, validation_alias="BRAVO_HANDLED_EVENTS_DAYS")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", validation_alias="BRAVO_LOG_LEVEL")

    @field_validator("admins", "company_values", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip().lower() for item in value.split(",") if item.strip()]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("pulse_weekday")
    @classmethod
    def _known_weekday(cls, value: str) -> str:
        if parse_weekday(value) is None:
            raise ValueError("must be a day of the week, e.g. tuesday")
        return value.strip().lower()

    @field_validator("pulse_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        parsed = parse_clock(value)
        if parsed is None:
            raise ValueError("must be a time of day as HH:MM, e.g. 10:00")
        return parsed

    @field_validator("manager_digest_cron", "team_digest_cron", "org_digest_cron", "leaderboard_cron")
    @classmethod
    def _schedule_spec(cls, value: str) -> str:
        from scheduler.schedules import parse_schedule

        schedule = parse_schedule(value)
        return schedule.spec() if schedule is not None else "off"

    @field_validator("language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        language = value.strip().lower()[:2]
        if language not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return language

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept the usual URL spellings and pick the asyncio driver for each."""
        if value.startswith(("postgres://", "postgresql://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + value.split("://", 1)[1]
        if value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            return value
        raise ValueError("must be a sqlite:// or postgresql:// URL")

    @model_validator(mode="after")
    def _slack_can_work(self) -> Settings:
        """A Slack set-up that cannot work is refused at start, in one line, rather than served with a 500 a request.

        Over HTTP every request Slack sends is signed with the app's signing secret and Bravo refuses unsigned ones:
        a bot token without its secret would refuse them all. Socket Mode (`SLACK_APP_TOKEN`) needs no secret but
        a bot token to answer with; and each token must be of its kind.
        """
        bot, app = self.slack_bot_token.strip(), self.slack_app_token.strip()
        if app and not bot:
            raise _setting_error(
                "SLACK_BOT_TOKEN", "required with SLACK_APP_TOKEN (Socket Mode brings the requests, the bot answers)"
            )
        if bot.startswith("xapp-"):
            raise _setting_error("SLACK_BOT_TOKEN", "this is an app-level token (xapp-…); the bot token starts xoxb-")
        if app and not app.startswith("xapp-"):
            raise _setting_error("SLACK_APP_TOKEN", "not an app-level token: Socket Mode's token starts xapp-")
        if bot and not app and not self.slack_signing_secret.strip():
            raise _setting_error(
                "SLACK_SIGNING_SECRET",
                "required with SLACK_BOT_TOKEN (Bravo refuses every request to /slack/events it cannot verify): copy "
                "it from the Slack app's Basic Information page, or set SLACK_APP_TOKEN for Socket Mode",
            )
        return self

    def teams_serving_problem(self) -> str | None:
        """Why a Teams set-up cannot serve (checked by `bravo run` only: `teams-package` needs just the app id).

        With an app id, every reply and proactive message needs a token from Microsoft, which needs the app's
        password (a client secret), except for a managed identity (`UserAssignedMSI`)."""
        if not self.microsoft_app_id.strip() or self.microsoft_app_type == "UserAssignedMSI":
            return None
        if not self.microsoft_app_password.strip():
            return (
                "MICROSOFT_APP_PASSWORD: required with MICROSOFT_APP_ID (Bravo could not answer anyone on Teams): "
                "create a client secret in the Azure bot's app registration, or set MICROSOFT_APP_TYPE=UserAssignedMSI"
            )
        return None

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id) or self.teams_allow_unauthenticated

    @property
    def platforms(self) -> tuple[str, ...]:
        """The chat platforms turned on; none means the console."""
        return tuple(name for name, on in (("slack", self.slack_enabled), ("teams", self.teams_enabled)) if on)

    @property
    def teams_auth_disabled(self) -> bool:
        """Unauthenticated Teams traffic is honoured only when no app id is configured."""
        return self.teams_allow_unauthenticated and not self.microsoft_app_id

    def policy(self) -> Policy:
        return Policy(
            language=self.language,
            timezone=self.timezone,
            daily_allowance=self.daily_allowance,
            max_points_per_kudos=self.max_points_per_kudos,
            max_message_length=self.max_message_length,
            kudos_emoji=self.kudos_emoji.strip(":"),
            recognition_channel=self.recognition_channel or None,
            teams_recognition_channel=self.teams_recognition_channel or None,
            show_people_leaderboard=self.show_people_leaderboard,
            anonymity_threshold=self.anonymity_threshold,
            platforms=self.platforms,
            pulse_cadence=self.pulse_cadence,
            pulse_weekday=parse_weekday(self.pulse_weekday) or 0,
            pulse_time=self.pulse_time,
            pulse_questions=self.pulse_questions,
            pulse_window_hours=self.pulse_window_hours,
            action_vote_days=self.action_vote_days,
            action_reminder_days=self.action_reminder_days,
            action_checkin_days=self.action_checkin_days,
            action_checkin_window_days=self.action_checkin_window_days,
            secret_key=self.secret_key,
            kudos_text_retention_days=self.kudos_text_retention_days,
            comment_retention_days=self.comment_retention_days,
            admin_emails=frozenset(self.admins),
            company_values=tuple(self.company_values),
        )

    def scheduler_config(self) -> SchedulerConfig:
        """Schedules, channels and catch-up for the scheduler (`scheduler/`), as plain values."""
        from scheduler.config import SchedulerConfig
        from scheduler.schedules import parse_schedule

        platforms = self.platforms
        channels = (
            ("slack", self.leaderboard_channel or self.recognition_channel),
            ("teams", self.teams_leaderboard_channel or self.teams_recognition_channel),
        )
        return SchedulerConfig(
            timezone=self.timezone,
            manager_digest=parse_schedule(self.manager_digest_cron),
            team_digest=parse_schedule(self.team_digest_cron),
            org_digest=parse_schedule(self.org_digest_cron),
            leaderboard=parse_schedule(self.leaderboard_cron),
            leaderboard_channels=tuple((name, channel) for name, channel in channels if name in platforms and channel),
            grace=timedelta(hours=self.schedule_grace_hours),
            tick_seconds=self.scheduler_tick_seconds,
            platforms=platforms,
            handled_events_window=timedelta(days=self.handled_events_days),
        )

    def outbox_pacer(self) -> Pacer:
        """The outbox's pace: one message per interval per channel, and per workspace the rate the platform accepts
        (found by the pacer), at most `outbox_rate` per second when it is set."""
        from scheduler.pacing import DEFAULT_DESTINATION_INTERVALS, Pacer

        intervals = dict(DEFAULT_DESTINATION_INTERVALS)
        if self.outbox_channel_interval is not None:
            intervals = dict.fromkeys(intervals, self.outbox_channel_interval)
        return Pacer(destination_intervals=intervals, ceiling=self.outbox_rate)


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming it."""


def _setting_error(name: str, problem: str) -> PydanticCustomError:
    """A problem with several settings together, reported under the one to fix (`load_settings` prints it)."""
    return PydanticCustomError("setting", "{name}: {problem}", {"name": name, "problem": problem})


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else ""
            problems.append(f"{name}: {item['msg']}" if name else str(item["msg"]))
        raise SettingsError("invalid setting " + "; ".join(problems)) from None
