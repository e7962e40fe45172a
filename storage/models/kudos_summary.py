"""The leaderboards' summary of kudos: totals per period over the days that have closed, and the changes since.

Every row here is derived from `kudos_recipient` and can be rebuilt from it (`storage.kudos.rollup`); none of them is
about a person beyond what `kudos_recipient` already holds, so no column points at `person` and privacy export and
forget work on the kudos themselves.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.models.base import timestamp_field

PERSON = "person"
TEAM = "team"
ORG = "org"


class KudosSummary(SQLModel, table=True):
    """What one person, team or the whole organisation (`subject_id` 0) received during one period.

    A period is a local day, week, month or quarter of the workspace time zone, or all time, named by its first local
    day (1970-01-01 for all time); its row holds only the days before `KudosSummaryState.summarised_until`. `kudos`
    counts recipients for a person and the organisation, and distinct kudos for a team, as the leaderboards do.
    """

    __tablename__ = "kudos_summary"
    __table_args__ = (
        # A team's weeks from a date on (reward pots), read from the index alone.
        Index("ix_kudos_summary_subject", "kind", "subject", "subject_id", "starts_on", "points"),
        # The primary key is the table on SQLite: a ranking reads one period's rows in one contiguous range.
        {"sqlite_with_rowid": False},
    )

    kind: str = Field(max_length=8, primary_key=True)
    subject: str = Field(max_length=8, primary_key=True)
    starts_on: date = Field(primary_key=True)
    subject_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    points: int
    kudos: int


class KudosSummaryChange(SQLModel, table=True):
    """A change to a kudos recipient row that the summary already counted, signed (+ added, - removed).

    Written by database triggers on `kudos_recipient` in the changing transaction, so an insert for an old day, a
    deletion or an update is reflected at once; the next roll-up folds these rows into `kudos_summary`.
    """

    __tablename__ = "kudos_summary_change"
    # A team's changes over a window (reward pots); the window alone uses the index on `created_at`.
    __table_args__ = (Index("ix_kudos_summary_change_team", "team_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = timestamp_field(index=True)
    recipient_id: int
    team_id: int | None = None
    points: int
    kudos: int
    team_kudos: int


class KudosSummaryState(SQLModel, table=True):
    """The one row (`id` 1) saying which zone the summary's days are cut in and where the summarised days end."""

    __tablename__ = "kudos_summary_state"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    zone: str = Field(max_length=64)
    next_day: date
    summarised_until: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
