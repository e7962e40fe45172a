"""Schedule specs such as `mon 09:00`: parsing, the latest fire time in a time zone, and period labels.

The same spec drives APScheduler's cron trigger (when to look) and the claim's period (what "once" means), so a
post scheduled weekly is sent once per ISO week and one scheduled on several days once per local day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
    "lundi": "mon",
    "mardi": "tue",
    "mercredi": "wed",
    "jeudi": "thu",
    "vendredi": "fri",
    "samedi": "sat",
    "dimanche": "sun",
}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")
OFF = "off"


class ScheduleError(ValueError):
    """A spec that cannot be read; the message says what is expected."""


@dataclass(frozen=True)
class Schedule:
    """Days of the week (0 = Monday) and a local time of day."""

    weekdays: frozenset[int]
    hour: int
    minute: int

    @property
    def weekly(self) -> bool:
        return len(self.weekdays) == 1

    @property
    def day_of_week(self) -> str:
        """The days in cron syntax, for APScheduler."""
        return ",".join(DAY_NAMES[day] for day in sorted(self.weekdays))

    def spec(self) -> str:
        days = "daily" if len(self.weekdays) == 7 else self.day_of_week
        return f"{days} {self.hour:02d}:{self.minute:02d}"

    def trigger(self, zone: ZoneInfo) -> CronTrigger:
        """APScheduler's cron trigger for this schedule in `zone` (DST handled by the trigger)."""
        return CronTrigger(day_of_week=self.day_of_week, hour=self.hour, minute=self.minute, timezone=zone)

    def local_fire(self, day: date, zone: ZoneInfo) -> datetime:
        """The fire time on `day` in `zone`; a time skipped by a DST change fires at the equivalent instant after."""
        return datetime.combine(day, time(self.hour, self.minute), tzinfo=zone)

    def latest(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The most recent fire time at or before `now` (aware), in UTC.

        UTC because Python subtracts and compares two datetimes of the same zone by wall clock: across a DST change
        a week between two local Mondays at 09:00 would wrongly be exactly seven days.
        """
        moment = now.astimezone(UTC)
        today = moment.astimezone(zone).date()
        for back in range(0, 8):
            day = today - timedelta(days=back)
            if day.weekday() in self.weekdays:
                fire = self.local_fire(day, zone).astimezone(UTC)
                if fire <= moment:
                    return fire
        raise AssertionError("a schedule fires at least once a week")

    def previous(self, fire: datetime, zone: ZoneInfo) -> datetime:
        """The fire time before `fire`: the start of the period that `fire` ends."""
        return self.latest(fire - timedelta(microseconds=1), zone)

    def period(self, moment: datetime, zone: ZoneInfo) -> str:
        """The claim period of `moment`: its ISO week (`2026-W14`) when weekly, else its local date."""
        return period_label(moment.astimezone(zone).date(), weekly=self.weekly)


def period_label(day: date, *, weekly: bool) -> str:
    if weekly:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def parse_schedule(text: str) -> Schedule | None:
    """Read `mon 09:00`, `mon,thu 16:30`, `mon-fri 9h00`, `daily 08:00` or `0 9 * * mon`; `off` gives None."""
    words = text.strip().lower().split()
    if words == [OFF]:
        return None
    if len(words) == 5 and words[2] == "*" and words[3] == "*":
        minute, hour, _, _, days = words
        words = [days, f"{hour}:{minute.zfill(2)}"]
    if len(words) != 2:
        raise ScheduleError(f"expected 'DAYS HH:MM' (e.g. 'mon 09:00') or 'off', not {text!r}")
    days_text, time_text = words
    match = _TIME.match(time_text)
    if match is None:
        raise ScheduleError(f"expected a time such as 09:00, not {time_text!r}")
    return Schedule(weekdays=_parse_days(days_text), hour=int(match.group(1)), minute=int(match.group(2)))


def _parse_days(text: str) -> frozenset[int]:
    if text in ("daily", "*", "everyday", "tous-les-jours"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        start, end = _day(first), _day(last) if last else _day(first)
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
        days.update(span)
    return frozenset(days)


def _day(name: str) -> int:
    key = _FULL_NAMES.get(name, name[:3])
    if key not in DAY_NAMES:
        raise ScheduleError(f"unknown day {name!r}: use mon, tue, wed, thu, fri, sat, sun or daily")
    return DAY_NAMES.index(key)


def zone_named(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    """A time zone by name, or `fallback` when the name is empty or unknown."""
    if name:
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError):
            return fallback
    return fallback
