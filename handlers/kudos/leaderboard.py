"""Leaderboards: teams first (recognition is collective), then people unless the admins turned that off.

Periods are calendar windows in the workspace time zone, up to now: this week (from Monday), this month, this
quarter, or all time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import timezone_of
from handlers.i18n import Translator
from handlers.messages import Card, FieldItem, Line, Section
from handlers.policy import Policy
from storage.kudos import leaderboard as leaderboard_store
from storage.kudos.leaderboard import PersonTotal, TeamTotal

Period = Literal["week", "month", "quarter", "all"]
PERIODS: tuple[Period, ...] = get_args(Period)
PERIOD_WORDS: dict[str, Period] = {
    "week": "week",
    "month": "month",
    "quarter": "quarter",
    "all": "all",
    "semaine": "week",
    "mois": "month",
    "trimestre": "quarter",
    "tout": "all",
}
DEFAULT_LIMIT = 10


def parse_period(word: str) -> Period | None:
    """`week`, `month`, `quarter`, `all` (or their French names); empty means this week."""
    cleaned = word.strip().lower()
    if not cleaned:
        return "week"
    return PERIOD_WORDS.get(cleaned)


def period_start(period: Period, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The start of the current period in `zone`, as UTC; None for all time."""
    local = now.astimezone(zone)
    day = local.date()
    if period == "all":
        return None
    if period == "week":
        day = day - timedelta(days=day.weekday())
    elif period == "month":
        day = day.replace(day=1)
    else:
        day = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Leaderboard:
    period: Period
    start: datetime | None
    end: datetime
    teams: list[TeamTotal]
    people: list[PersonTotal]
    people_shown: bool


async def build_leaderboard(
    session: AsyncSession,
    policy: Policy,
    *,
    period: Period,
    now: datetime,
    include_people: bool | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> Leaderboard:
    """Teams and (when allowed) people by points received in the period."""
    start = period_start(period, now, timezone_of(None, policy))
    end = now.astimezone(UTC)
    until = end + timedelta(microseconds=1)  # kudos given at this very moment count
    show_people = policy.show_people_leaderboard if include_people is None else include_people
    teams = await leaderboard_store.team_totals(session, start=start, end=until, limit=limit)
    people = await leaderboard_store.person_totals(session, start=start, end=until, limit=limit) if show_people else []
    return Leaderboard(period=period, start=start, end=end, teams=teams, people=people, people_shown=show_people)


def period_label(t: Translator, period: Period) -> str:
    labels = {
        "week": t("this week"),
        "month": t("this month"),
        "quarter": t("this quarter"),
        "all": t("all time"),
    }
    return labels[period]


def leaderboard_sections(t: Translator, board: Leaderboard) -> tuple[Section, ...]:
    """Ranked teams, then ranked people, as card sections (shared by `/kudos leaderboard` and App Home)."""
    medals = ("🥇", "🥈", "🥉")

    def rank(index: int) -> str:
        return medals[index] if index < len(medals) else f"{index + 1}."

    team_fields = tuple(
        FieldItem(
            label=f"{rank(index)} {team.name}", value=Line.of(t.plural("{count} point", "{count} points", team.points))
        )
        for index, team in enumerate(board.teams)
    )
    sections = [
        Section(text=Line.of(t("Teams")), fields=team_fields)
        if team_fields
        else Section(text=Line.of(t("No team has received kudos {period} yet.", period=period_label(t, board.period))))
    ]
    if board.people_shown:
        people_fields = tuple(
            FieldItem(
                label=f"{rank(index)} {standing.person.display_name}",
                value=Line.of(t.plural("{count} point", "{count} points", standing.points)),
            )
            for index, standing in enumerate(board.people)
        )
        if people_fields:
            sections.append(Section(text=Line.of(t("People")), fields=people_fields))
    return tuple(sections)


def leaderboard_card(t: Translator, board: Leaderboard) -> Card:
    title = t("Leaderboard, {period}", period=period_label(t, board.period))
    return Card(
        title=title,
        sections=leaderboard_sections(t, board),
        context=(Line.of(t("Other periods: /kudos leaderboard week, month, quarter or all")),),
        summary=title,
    )
