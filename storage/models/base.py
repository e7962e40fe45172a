"""Column helpers shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp_field(*, index: bool = False, nullable: bool = False) -> datetime:
    """A time zone aware UTC timestamp column (SQLite keeps the offset as text, PostgreSQL as timestamptz)."""
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow if not nullable else None,
        sa_type=DateTime(timezone=True),
        index=index,
        nullable=nullable,
    )


def optional_timestamp_field(*, index: bool = False) -> datetime | None:
    return Field(  # type: ignore[no-any-return]
        default=None,
        sa_type=DateTime(timezone=True),
        index=index,
        nullable=True,
    )
