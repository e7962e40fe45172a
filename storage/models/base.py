"""Column helpers shared by the tables, among them the one type every timestamp column has.

Every timestamp Bravo stores is an instant, written and read back as an aware UTC `datetime` by `UtcDateTime`:
SQLite keeps no offset and PostgreSQL answers in the session's zone, so without it each reader had to guess.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive value is taken to be UTC already (what SQLite gives back)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp column whose values are always aware UTC datetimes, on the way in and on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp_field(*, index: bool = False, nullable: bool = False) -> datetime:
    """A timestamp column, read back as an aware UTC datetime on every engine."""
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow if not nullable else None,
        sa_type=UtcDateTime,
        index=index,
        nullable=nullable,
    )


def optional_timestamp_field(*, index: bool = False) -> datetime | None:
    return Field(  # type: ignore[no-any-return]
        default=None,
        sa_type=UtcDateTime,
        index=index,
        nullable=True,
    )
