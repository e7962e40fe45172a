"""The team digest, posted in the team's channel: its recognition highlights and its collective reward progress.

A public post: it celebrates what people wrote about each other and how far the team has come together, never
who received the most, and shows pulse results only when enough people answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from handlers.digest.data import DigestData, TeamWeek
from handlers.digest.manager import date_range
from handlers.digest.render import goal_line, highlight_sections, values_line
from handlers.i18n import Translator
from handlers.messages import Card, Image, Line, Section

TEAM_DIGEST = "team_digest"


def team_digest_card(
    t: Translator,
    *,
    week: TeamWeek,
    data: DigestData,
    pulse: Sequence[Section],
    zone: ZoneInfo,
    charts: Sequence[Image] = (),
) -> Card | None:
    """The post for one team, or None when the period has nothing to show (a quiet channel stays quiet); its charts
    are numbers, drawn when it is delivered."""
    if not week.tally.kudos and not pulse:
        return None
    sections: list[Section] = []
    if week.tally.kudos:
        headline = t.plural(
            "{count} kudos for the team this week", "{count} kudos for the team this week", week.tally.kudos
        )
        if week.values:
            headline += " · " + values_line(week.values)
        sections.append(Section(text=Line.of(headline)))
        sections.extend(highlight_sections(t, week.highlights, data.people, data.teams))
    sections.extend(pulse)
    sections.append(Section(text=Line.of(t("Our collective reward:") + " " + goal_line(t, week.standing))))
    period = date_range(t, data.window.since, data.window.until, zone)
    return Card(
        title=t("{team}: the week in recognition", team=week.team.name),
        sections=tuple(sections),
        context=(
            Line.of(period),
            Line.of(t("Every kudos a member receives fills the team's pot. See or vote for the goal with /rewards.")),
        ),
        summary=t("{team}: the week in recognition", team=week.team.name),
        images=tuple(charts),
    )
