"""When a team is asked: its pulse plan (settings, then the all-teams row, then the team's row) and the calendar maths.

A pulse day is a calendar date; each person receives the questions when their own clock reaches the plan's time on
that date, so one round reaches a team spread over time zones at everyone's morning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.policy import Policy

CADENCES: tuple[str, ...] = ("weekly", "biweekly", "monthly")
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_QUESTIONS = 10
MAX_WINDOW_HOURS = 24 * 14
CATCH_UP = timedelta(hours=12)


def parse_weekday(value: str) -> int | None:
    """`tuesday`, `Tue` or `1`: an English day name, at least its first three letters, or 0–6 (Monday is 0)."""
    text = value.strip().lower()
    if text.isdigit() and int(text) < len(WEEKDAYS):
        return int(text)
    for index, name in enumerate(WEEKDAYS):
        if len(text) >= 3 and name.startswith(text):
            return index
    return None


def parse_clock(value: str) -> str | None:
    """`9:30` or `09:30` -> `09:30`; anything else is None."""
    hours, sep, minutes = value.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2 or len(hours) > 2:
        return None
    if int(hours) > 23 or int(minutes) > 59:
        return None
    return f"{int(hours):02d}:{minutes}"


class PlanLayer(Protocol):
    """A stored plan row: each field left empty inherits from the layer below."""

    cadence: str | None
    weekday: int | None
    local_time: str | None
    questions: int | None
    window_hours: int | None
    enabled: bool | None


@dataclass(frozen=True)
class Plan:
    """A team's effective pulse plan."""

    cadence: str
    weekday: int
    local_time: str
    questions: int
    window_hours: int
    enabled: bool = True

    @property
    def clock(self) -> time:
        hours, _, minutes = self.local_time.partition(":")
        return time(int(hours), int(minutes))

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)


def default_plan(policy: Policy) -> Plan:
    return Plan(
        cadence=policy.pulse_cadence,
        weekday=policy.pulse_weekday,
        local_time=policy.pulse_time,
        questions=policy.pulse_questions,
        window_hours=policy.pulse_window_hours,
    )


def resolve_plan(policy: Policy, layers: Iterable[PlanLayer | None]) -> Plan:
    """The settings, overridden by each stored layer in turn (all teams first, then the team)."""
    plan = default_plan(policy)
    for layer in layers:
        if layer is None:
            continue
        plan = replace(
            plan,
            cadence=layer.cadence or plan.cadence,
            weekday=plan.weekday if layer.weekday is None else layer.weekday,
            local_time=layer.local_time or plan.local_time,
            questions=layer.questions or plan.questions,
            window_hours=layer.window_hours or plan.window_hours,
            enabled=plan.enabled if layer.enabled is None else layer.enabled,
        )
    return plan


def is_pulse_day(plan: Plan, day: date) -> bool:
    """Weekly: every plan weekday; every 2 weeks: in even ISO weeks; monthly: the month's first plan weekday."""
    if day.weekday() != plan.weekday:
        return False
    if plan.cadence == "biweekly":
        return day.isocalendar().week % 2 == 0
    if plan.cadence == "monthly":
        return day.day <= 7
    return True


def send_instant(plan: Plan, day: date, zone: ZoneInfo) -> datetime:
    """The moment (UTC) a person in `zone` receives the pulse of `day`."""
    return datetime.combine(day, plan.clock, tzinfo=zone).astimezone(UTC)


def due_day(plan: Plan, zones: Sequence[ZoneInfo], now: datetime) -> date | None:
    """The pulse day whose first delivery (in the earliest member's time zone) has come, within the catch-up time."""
    if not plan.enabled or not zones:
        return None
    today = now.astimezone(UTC).date()
    for offset in (1, 0, -1, -2):
        day = today + timedelta(days=offset)
        if not is_pulse_day(plan, day):
            continue
        first = min(send_instant(plan, day, zone) for zone in zones)
        if first <= now < first + CATCH_UP:
            return day
    return None


def next_pulse_day(plan: Plan, after: date) -> date:
    """The first pulse day on or after `after` (for `bravo pulse plan show`)."""
    day = after
    while not is_pulse_day(plan, day):
        day += timedelta(days=1)
    return day
