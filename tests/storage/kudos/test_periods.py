"""The summary's periods are local days of the workspace zone, and start exactly where the leaderboards' do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.kudos.leaderboard import PERIODS, period_start
from storage.kudos import periods

ZONES = ("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "America/Santiago")


@pytest.mark.parametrize("zone_name", ZONES)
def test_every_leaderboard_period_starts_on_a_summary_period(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    kinds = {"week": periods.WEEK, "month": periods.MONTH, "quarter": periods.QUARTER}
    moment = datetime(2026, 1, 1, 3, 17, tzinfo=UTC)
    for _ in range(400):
        moment += timedelta(hours=23, minutes=7)
        for period in PERIODS:
            start = period_start(period, moment, zone)
            if start is None:
                continue
            starts_on = periods.starting_at(kinds[period], start, zone)
            assert starts_on is not None and periods.local_midnight(starts_on, zone) == start


def test_kolkata_days_start_at_half_past_six_in_the_evening_utc() -> None:
    zone = ZoneInfo("Asia/Kolkata")
    assert periods.local_midnight(date(2026, 3, 2), zone) == datetime(2026, 3, 1, 18, 30, tzinfo=UTC)
    assert periods.local_day(datetime(2026, 3, 1, 18, 29, tzinfo=UTC), zone) == date(2026, 3, 1)
    assert periods.local_day(datetime(2026, 3, 1, 18, 30), zone) == date(2026, 3, 2)  # naive is UTC


def test_a_day_across_a_clock_change_lasts_23_or_25_hours() -> None:
    zone = ZoneInfo("Europe/Paris")
    spring = periods.local_midnight(date(2026, 3, 30), zone) - periods.local_midnight(date(2026, 3, 29), zone)
    autumn = periods.local_midnight(date(2026, 10, 26), zone) - periods.local_midnight(date(2026, 10, 25), zone)
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))


def test_periods_between_cut_at_weeks_months_and_quarters() -> None:
    first, end = date(2026, 3, 27), date(2026, 4, 3)
    assert list(periods.periods_between(periods.WEEK, first, end)) == [
        (date(2026, 3, 23), date(2026, 3, 27), date(2026, 3, 30)),
        (date(2026, 3, 30), date(2026, 3, 30), date(2026, 4, 3)),
    ]
    assert [start for start, _, _ in periods.periods_between(periods.QUARTER, first, end)] == [
        date(2026, 1, 1),
        date(2026, 4, 1),
    ]
    assert list(periods.periods_between(periods.ALL, first, end)) == [(periods.ALL_START, first, end)]
    assert periods.period_end(periods.MONTH, date(2026, 12, 1)) == date(2027, 1, 1)
    assert periods.period_end(periods.QUARTER, date(2026, 10, 1)) == date(2027, 1, 1)


def test_the_first_boundary_at_or_after_a_moment() -> None:
    zone = ZoneInfo("Europe/Paris")
    monday = datetime(2026, 11, 15, 23, 0, tzinfo=UTC)  # Monday 16 November, 00:00 in Paris
    assert periods.first_boundary(periods.WEEK, monday, zone) == date(2026, 11, 16)
    assert periods.first_boundary(periods.WEEK, monday + timedelta(microseconds=1), zone) == date(2026, 11, 23)
    assert periods.first_boundary(periods.DAY, monday - timedelta(hours=1), zone) == date(2026, 11, 16)
    assert periods.starting_at(periods.WEEK, monday + timedelta(hours=1), zone) is None
