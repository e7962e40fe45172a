"""Kudos: one row per act of recognition, one row per recipient, and the values it celebrates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import timestamp_field


class Kudos(SQLModel, table=True):
    """An act of recognition; `idempotency_key` makes a platform's redelivery count once."""

    __tablename__ = "kudos"
    # (giver, time): a giver's points since midnight and the givers of a digest's week are one index range each.
    __table_args__ = (Index("ix_kudos_giver_created", "giver_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    giver_id: int = Field(foreign_key="person.id")
    points: int = Field(ge=1)
    message: str = Field(sa_type=Text)
    source: str = Field(max_length=32)
    platform: str = Field(max_length=16)
    channel: str | None = Field(default=None, max_length=255)
    team_recognition_id: int | None = Field(default=None, foreign_key="team.id")
    idempotency_key: str = Field(max_length=255, unique=True)
    created_at: datetime = timestamp_field(index=True)


class KudosRecipient(SQLModel, table=True):
    """One recipient of a kudos; the recipient's team at that moment earns the points for its pot."""

    __tablename__ = "kudos_recipient"
    __table_args__ = (
        UniqueConstraint("kudos_id", "recipient_id"),
        Index("ix_kudos_recipient_created_team", "created_at", "team_id"),
        # (team | recipient, time, points…): a team's or a person's points and kudos over any window are read from
        # the index alone (digests, reward pots, leaderboards), whatever the size of the history before the window.
        Index("ix_kudos_recipient_team_created", "team_id", "created_at", "points", "kudos_id"),
        Index("ix_kudos_recipient_recipient_created", "recipient_id", "created_at", "points"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kudos_id: int = Field(foreign_key="kudos.id", index=True)
    recipient_id: int = Field(foreign_key="person.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    points: int = Field(ge=1)
    created_at: datetime = timestamp_field()


class KudosValue(SQLModel, table=True):
    """A company value a kudos celebrates."""

    __tablename__ = "kudos_value"

    kudos_id: int = Field(foreign_key="kudos.id", primary_key=True)
    value: str = Field(max_length=64, primary_key=True)
