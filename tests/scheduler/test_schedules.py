"""Schedule specs: parsing, the latest fire time in a time zone across DST changes, and APScheduler agreeing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.schedules import Schedule, ScheduleError, parse_schedule, period_label

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "days", "hour", "minute"),
    [
        ("mon 09:00", {0}, 9, 0),
        ("Monday 9:00", {0}, 9, 0),
        ("mon,thu 16h30", {0, 3}, 16, 30),
        ("mon-fri 08:00", {0, 1, 2, 3, 4}, 8, 0),
        ("fri-mon 08:00", {4, 5, 6, 0}, 8, 0),
        ("daily 07:15", set(range(7)), 7, 15),
        ("0 9 * * mon", {0}, 9, 0),
        ("vendredi 16:00", {4}, 16, 0),
    ],
)
def test_specs_are_read(text: str, days: set[int], hour: int, minute: int) -> None:
    assert parse_schedule(text) == Schedule(weekdays=frozenset(days), hour=hour, minute=minute)


@pytest.mark.parametrize("text", ["", "mon", "mon 25:00", "funday 09:00", "mon 9", "1 2 3 4 5"])
def test_bad_specs_say_what_is_expected(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_off_turns_a_schedule_off() -> None:
    assert parse_schedule("off") is None


@given(
    st.frozensets(st.integers(min_value=0, max_value=6), min_size=1),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
)
def test_a_spec_reads_back_as_the_same_schedule(days: frozenset[int], hour: int, minute: int) -> None:
    schedule = Schedule(weekdays=days, hour=hour, minute=minute)
    assert parse_schedule(schedule.spec()) == schedule


def test_monday_nine_in_paris_follows_the_clock_change_of_29_march_2026() -> None:
    schedule = parse_schedule("mon 09:00")
    assert schedule is not None
    before = schedule.latest(utc(2026, 3, 28, 12), PARIS)
    after = schedule.latest(utc(2026, 3, 30, 7, 0), PARIS)
    assert before.astimezone(UTC) == utc(2026, 3, 23, 8, 0)  # 09:00 CET
    assert after.astimezone(UTC) == utc(2026, 3, 30, 7, 0)  # 09:00 CEST
    assert schedule.latest(utc(2026, 3, 30, 6, 59), PARIS).astimezone(UTC) == utc(2026, 3, 23, 8, 0)
    assert schedule.previous(after, PARIS) == before
    assert after - before == timedelta(days=7, hours=-1)


def test_monday_nine_in_new_york_follows_the_clock_change_of_8_march_2026() -> None:
    schedule = parse_schedule("mon 09:00")
    assert schedule is not None
    assert schedule.latest(utc(2026, 3, 2, 14, 0), NEW_YORK).astimezone(UTC) == utc(2026, 3, 2, 14, 0)  # EST
    assert schedule.latest(utc(2026, 3, 9, 13, 0), NEW_YORK).astimezone(UTC) == utc(2026, 3, 9, 13, 0)  # EDT
    assert schedule.latest(utc(2026, 3, 9, 12, 59), NEW_YORK).astimezone(UTC) == utc(2026, 3, 2, 14, 0)


@pytest.mark.parametrize("zone", [PARIS, NEW_YORK])
@pytest.mark.parametrize("spec", ["mon 09:00", "fri 16:00", "daily 09:00", "sun 02:30"])
def test_apscheduler_fires_when_the_schedule_says(zone: ZoneInfo, spec: str) -> None:
    """Over March 2026 (both DST changes), APScheduler's next fire time is always a fire time of ours."""
    schedule = parse_schedule(spec)
    assert schedule is not None
    trigger = schedule.trigger(zone)
    moment = utc(2026, 3, 1)
    for _ in range(40):
        next_fire = trigger.get_next_fire_time(None, moment)
        assert next_fire is not None
        fire = next_fire.astimezone(UTC)  # compare instants: same-zone datetimes compare by wall clock
        assert fire >= moment
        latest = schedule.latest(fire, zone)
        # APScheduler also fires at the repeated 02:30 of the autumn change: the same period, so the claim absorbs it
        repeated = fire - latest == timedelta(hours=1) and schedule.period(latest, zone) == schedule.period(fire, zone)
        assert latest == fire or repeated
        assert schedule.latest(fire - timedelta(seconds=1), zone) < fire
        moment = fire + timedelta(minutes=1)


def test_friday_leaderboard_trigger_in_paris_across_the_clock_change() -> None:
    schedule = parse_schedule("fri 16:00")
    assert schedule is not None
    trigger = schedule.trigger(PARIS)
    assert trigger.get_next_fire_time(None, utc(2026, 3, 26, 12)) == utc(2026, 3, 27, 15, 0)
    assert trigger.get_next_fire_time(None, utc(2026, 3, 28, 12)) == utc(2026, 4, 3, 14, 0)


def test_periods_are_iso_weeks_for_weekly_schedules_and_dates_otherwise() -> None:
    weekly = parse_schedule("sun 18:00")
    daily = parse_schedule("mon-fri 09:00")
    assert weekly is not None and daily is not None
    sunday = utc(2026, 3, 29, 16)
    assert weekly.period(sunday, PARIS) == "2026-W13"
    assert daily.period(sunday, PARIS) == "2026-03-29"
    assert period_label(datetime(2026, 12, 31).date(), weekly=True) == "2026-W53"
    assert period_label(datetime(2027, 1, 1).date(), weekly=True) == "2026-W53"
