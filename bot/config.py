"""One `Settings` object read from the environment and `.env`; everything else receives values from it."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from handlers.i18n import SUPPORTED_LANGUAGES
from handlers.policy import MIN_ANONYMITY_THRESHOLD, Policy

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/bravo.db"
SLACK_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    """Every setting Bravo reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    host: str = Field("0.0.0.0", validation_alias="HOST")
    port: int = Field(3000, ge=1, le=65535, validation_alias="PORT")

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
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list, validation_alias="BRAVO_ADMINS")
    company_values: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["teamwork", "ownership", "customer-first", "courage", "kindness"],
        validation_alias="BRAVO_COMPANY_VALUES",
    )
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

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id) or self.teams_allow_unauthenticated

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
            admin_emails=frozenset(self.admins),
            company_values=tuple(self.company_values),
        )


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "settings"
            problems.append(f"{name}: {item['msg']}")
        raise SettingsError("invalid setting " + "; ".join(problems)) from None
