"""The weekly manager digest: a private message, in the manager's language, about each team they manage.

It tells the team's week in kudos, who has not been recognised for a month (a private nudge, never shown to the
team), the pulse results the anonymity threshold allows, and the team's progress towards its collective reward.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.context import person_ref
from handlers.digest.data import QUIET_DAYS, DigestData, TeamWeek
from handlers.digest.render import goal_line, highlight_sections, values_line
from handlers.i18n import Translator
from handlers.messages import Card, FieldItem, Image, Line, Section, compose

MANAGER_DIGEST = "manager_digest"
MAX_QUIET_NAMES = 10


def date_range(t: Translator, since: datetime, until: datetime, zone: ZoneInfo) -> str:
    """`Mar 23 – Mar 30, 2026` style, in the reader's language and time zone."""
    first = t.day(since.astimezone(zone).date())
    last = t.day(until.astimezone(zone).date())
    return t("{first} to {last}", first=first, last=last)


def kudos_fields(t: Translator, week: TeamWeek) -> tuple[FieldItem, ...]:
    """How many kudos, how many people received and gave, and the values they celebrated."""
    members = week.members
    fields = [
        FieldItem(label=t("Kudos received"), value=Line.of(str(week.tally.kudos))),
        FieldItem(
            label=t("People recognised"),
            value=Line.of(t("{count} of {members}", count=week.tally.receivers, members=members)),
        ),
        FieldItem(
            label=t("People who gave kudos"),
            value=Line.of(t("{count} of {members}", count=week.givers, members=members)),
        ),
    ]
    if week.values:
        fields.append(FieldItem(label=t("Top values"), value=Line.of(values_line(week.values))))
    return tuple(fields)


def quiet_section(t: Translator, week: TeamWeek) -> Section | None:
    """The private nudge: members nobody recognised for 30 days."""
    if not week.quiet:
        return None
    shown = [person_ref(person) for person in week.quiet[:MAX_QUIET_NAMES]]
    hidden = len(week.quiet) - len(shown)
    line = compose(t("Not recognised for {days} days: {people}."), days=QUIET_DAYS, people=shown)
    if hidden:
        more = t.plural("And {count} more.", "And {count} more.", hidden)
        line = Line(parts=(*line.parts, *Line.of(" " + more).parts))
    nudge = t.plural(
        "Is there something to thank them for? Only you see this.",
        "Is there something to thank them for? Only you see this.",
        len(week.quiet),
    )
    return Section(text=Line(parts=(*line.parts, *Line.of(" " + nudge).parts)))


def team_sections(
    t: Translator, week: TeamWeek, data: DigestData, pulse: Sequence[Section], *, heading: bool
) -> list[Section]:
    """One team's part of the digest."""
    sections: list[Section] = []
    if heading:
        sections.append(Section(text=Line.of(t("Team {team}", team=week.team.name))))
    if week.tally.kudos:
        sections.append(Section(fields=kudos_fields(t, week)))
        if week.highlights:
            sections.append(Section(text=Line.of(t("Highlights"))))
            sections.extend(highlight_sections(t, week.highlights, data.people, data.teams))
    else:
        sections.append(Section(text=Line.of(t("No kudos for {team} this week.", team=week.team.name))))
    quiet = quiet_section(t, week)
    if quiet is not None:
        sections.append(quiet)
    sections.extend(pulse)
    sections.append(Section(text=Line.of(t("Collective reward:") + " " + goal_line(t, week.standing))))
    return sections


def manager_digest_card(
    t: Translator,
    *,
    weeks: Sequence[TeamWeek],
    data: DigestData,
    pulse: Mapping[int, Sequence[Section]],
    zone: ZoneInfo,
    charts: Sequence[Image] = (),
) -> Card:
    """The whole digest for one manager (one part per team they manage), with its charts' numbers
    (`handlers.digest.pulse_charts`: drawn when it is delivered)."""
    names = t.join(week.team.name for week in weeks)
    sections: list[Section] = []
    for week in weeks:
        sections.extend(team_sections(t, week, data, pulse.get(week.team.id or 0, ()), heading=len(weeks) > 1))
    period = date_range(t, data.window.since, data.window.until, zone)
    return Card(
        title=t("Your weekly digest: {teams}", teams=names),
        sections=tuple(sections),
        context=(Line.of(t("{period}. This digest is private to you.", period=period)),),
        summary=t("Your weekly digest: {teams}", teams=names),
        images=tuple(charts),
    )
