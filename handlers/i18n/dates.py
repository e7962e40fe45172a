"""Dates and moments written the reader's way: their language's own format (CLDR, through Babel) in their time zone.

Never an ISO string in a message: `2026-12-03T07:41:49+00:00` is a storage format, not something a person reads.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time


@lru_cache(maxsize=512)
def day_text(day: date, language: str) -> str:
    """`Mar 23, 2026` / `23 mars 2026`; cached, since a scheduled run formats the same days for many readers."""
    return format_date(day, format="medium", locale=language)


def moment_text(moment: datetime, language: str, zone: ZoneInfo) -> str:
    """`Dec 3, 2026, 8:41 AM` / `3 déc. 2026, 08:41`: the moment as a clock in `zone` shows it (naive means UTC)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))).astimezone(zone)
    pattern = str(Locale.parse(language).datetime_formats["medium"])
    clock = format_time(local, format="short", locale=language)
    return pattern.replace("'", "").replace("{1}", day_text(local.date(), language)).replace("{0}", clock)


def period_text(period: str, language: str, zone: ZoneInfo) -> str:
    """A stored period (an ISO day, or the ISO moment of a manual send) as the reader writes it; anything else as is."""
    try:
        if "T" in period:
            return moment_text(datetime.fromisoformat(period), language, zone)
        return day_text(date.fromisoformat(period), language)
    except ValueError:
        return period
