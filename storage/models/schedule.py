"""Scheduled posts: one claim per (kind, target, period), and per-team schedule overrides.

The unique claim is what makes a digest or leaderboard go out exactly once, whatever the number of replicas,
restarts or catch-up runs: APScheduler only decides *when* to look, the database decides *who* sends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import optional_timestamp_field, timestamp_field

CLAIMED = "claimed"
QUEUED = "queued"
SKIPPED = "skipped"
SENT = "sent"
FAILED = "failed"


class ScheduledPost(SQLModel, table=True):
    """A scheduled post claimed by one process; its deliveries are queued in the outbox in the same transaction."""

    __tablename__ = "scheduled_post"
    __table_args__ = (
        UniqueConstraint("kind", "period", "target"),
        Index("ix_scheduled_post_status", "status", "claimed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    target: str = Field(max_length=64)
    period: str = Field(max_length=32)
    status: str = Field(default=CLAIMED, max_length=16)
    owner: str = Field(max_length=128)
    deliveries: int = 0
    detail: str | None = Field(default=None, max_length=500)
    claimed_at: datetime = timestamp_field()
    finished_at: datetime | None = optional_timestamp_field()


class TeamSchedule(SQLModel, table=True):
    """A team's own schedules (empty columns follow the workspace settings); `off` turns a post off."""

    __tablename__ = "team_schedule"

    team_id: int = Field(foreign_key="team.id", primary_key=True)
    manager_digest: str | None = Field(default=None, max_length=64)
    team_digest: str | None = Field(default=None, max_length=64)
    timezone: str | None = Field(default=None, max_length=64)
    updated_at: datetime = timestamp_field()
