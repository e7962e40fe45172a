"""The directory: people, their teams and the company values kudos can celebrate."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import timestamp_field


class Team(SQLModel, table=True):
    """A team earns recognition together and owns a channel for its digests."""

    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    # No database-level foreign key: team and person reference each other, and the directory import keeps it valid.
    manager_id: int | None = Field(default=None, index=True)
    slack_channel: str | None = Field(default=None, max_length=64)
    slack_usergroup: str | None = Field(default=None, max_length=64, unique=True)
    teams_channel: str | None = Field(default=None, max_length=255)
    created_at: datetime = timestamp_field()


class Person(SQLModel, table=True):
    """Someone who gives or receives kudos; matched across platforms by email."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=254, unique=True)
    display_name: str = Field(max_length=200)
    slack_id: str | None = Field(default=None, max_length=32, unique=True)
    slack_dm_channel: str | None = Field(default=None, max_length=32)
    teams_id: str | None = Field(default=None, max_length=255, unique=True)
    aad_object_id: str | None = Field(default=None, max_length=64, unique=True)
    timezone: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=8)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    manager_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    is_admin: bool = False
    is_bot: bool = False
    active: bool = True
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class CompanyValue(SQLModel, table=True):
    """A value kudos can be tagged with (`#teamwork`); configured by the admin."""

    __tablename__ = "company_value"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    active: bool = True
