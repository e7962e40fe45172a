"""The periods of the kudos summary: local days of the workspace time zone, and the weeks, months and quarters
they make up.

The summary adds kudos up per *local day* of the workspace zone (`BRAVO_TIMEZONE`) rather than per UTC hour or day,
because the leaderboards' periods (`handlers.kudos.leaderboard.period_start`) start at local midnight: a week, a month
or a quarter is then a whole number of summary days, in every zone, including those whose offset is not a whole number
of hours (Asia/Kolkata, +5:30) and across daylight saving changes. Local midnight is turned into UTC exactly as
`period_start` does, so a leaderboard's start and a period's start are the same instant. The zone is stored with the
summary: after a change of zone the summary is rebuilt, and until then windows are read from the kudos themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DAY = "day"
WEEK = "week"
MONTH = "month"
QUARTER = "quarter"
ALL = "all"
ALL_START = date(1970, 1, 1)  # a label only: all time has no first day
# Bounds for "no bound": every stored timestamp lies between them, on both engines.
FAR_PAST = datetime(1, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant a local day starts (as `period_start` computes it)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The local day an instant falls in."""
    return moment.astimezone(zone).date()


def period_of(kind: str, day: date) -> date:
    """The first day of the period of `kind` that holds `day`."""
    if kind == DAY:
        return day
    if kind == WEEK:
        return day - timedelta(days=day.weekday())
    if kind == MONTH:
        return day.replace(day=1)
    if kind == QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return ALL_START


def period_end(kind: str, start: date) -> date | None:
    """The first day after the period that starts on `start`; None for all time."""
    if kind == DAY:
        return start + timedelta(days=1)
    if kind == WEEK:
        return start + timedelta(days=7)
    if kind in (MONTH, QUARTER):
        months = start.month - 1 + (1 if kind == MONTH else 3)
        return date(start.year + months // 12, months % 12 + 1, 1)
    return None


def periods_between(kind: str, first: date, end: date) -> Iterator[tuple[date, date, date]]:
    """The periods of `kind` that days `first` to `end` (excluded) touch, each as (period start, first day, end)."""
    day = first
    while day < end:
        start = period_of(kind, day)
        after = period_end(kind, start)
        stop = end if after is None else min(after, end)
        yield start, day, stop
        day = stop


def starting_at(kind: str, moment: datetime, zone: ZoneInfo) -> date | None:
    """The period of `kind` that starts exactly at `moment` in `zone`, if one does."""
    day = local_day(moment, zone)
    if period_of(kind, day) != day or local_midnight(day, zone) != moment.astimezone(UTC):
        return None
    return day


def first_boundary(kind: str, moment: datetime, zone: ZoneInfo) -> date:
    """The first period of `kind` that starts at or after `moment`."""
    day = local_day(moment, zone)
    start = period_of(kind, day)
    if local_midnight(start, zone) >= moment.astimezone(UTC):
        return start
    after = period_end(kind, start)
    assert after is not None, "all time has no boundary"
    return after
