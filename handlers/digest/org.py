"""The weekly organisation digest: a private message to each admin, in their language and time zone.

It shows the organisation's pulse (participation and eNPS with their change, each driver's score), a teams × drivers
grid where the anonymity threshold leaves cells empty, how many people were recognised lately, which teams got no
kudos this month, team action plans and the rewards reached. Its charts carry text alternatives with the same
numbers as the text.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from handlers.digest.data import QUIET_DAYS, Window
from handlers.digest.manager import date_range
from handlers.digest.org_data import Measure, OrgData
from handlers.digest.pulse_charts import ENPS_RANGE, alt_text, enps_trend, owner_name, reward_progress, score_bars
from handlers.digest.pulse_section import enps_history
from handlers.digest.render import goal_line
from handlers.i18n import Translator
from handlers.messages import Card, FieldItem, GridChart, Image, Line, Section, TrendChart
from handlers.pulse import driver_name

ORG_DIGEST = "org_digest"


def percent(value: float) -> int:
    return round(value * 100)


def enps_text(t: Translator, enps: Measure) -> str:
    if enps.change is None:
        return t("eNPS: {score:+.0f}", score=enps.value)
    return t("eNPS: {score:+.0f} ({change:+.0f} since the previous pulse)", score=enps.value, change=enps.change)


def pulse_sections(t: Translator, data: OrgData) -> list[Section]:
    """Participation, eNPS and driver scores of the organisation, or why there are none."""
    if data.participation is None:
        return [Section(text=Line.of(t("Pulse: no organisation results to show yet.")))]
    text = t(
        "Pulse of {period}: {answered} of {invited} people answered ({percent}%).",
        period=t.period(data.period) if data.period else "",
        answered=data.answered or 0,
        invited=data.invited or 0,
        percent=percent(data.participation.value),
    )
    if data.participation.change is not None:
        text += " " + t("{change:+d} points since the previous pulse.", change=percent(data.participation.change))
    sections = [Section(text=Line.of(text))]
    if data.enps is not None:
        sections.append(Section(text=Line.of(enps_text(t, data.enps))))
        if len(data.enps_measures) > 1:
            sections.append(Section(text=Line.of(enps_history(t, data.enps_measures))))
    if data.drivers:
        fields = tuple(
            FieldItem(label=driver_name(t, item.driver), value=Line.of(_score_text(item.score, item.change)))
            for item in data.drivers
        )
        sections.append(Section(fields=fields))
    return sections


def _score_text(score: float, change: float | None) -> str:
    return f"{score:.1f}/10" if change is None else f"{score:.1f}/10 ({change:+.1f})"


def grid_lines(t: Translator, data: OrgData) -> list[tuple[str, str]]:
    """The grid in words: each team's shown scores, or that it shows none."""
    lines = []
    for row in data.grid:
        shown = [f"{driver_name(t, item)} {row.scores[item]:.1f}" for item in data.grid_drivers if item in row.scores]
        if shown:
            lines.append((row.team, ", ".join(shown)))
        else:
            lines.append((row.team, t("pulse still open") if row.open else t("hidden (too few answers)")))
    return lines


def grid_alt(t: Translator, data: OrgData) -> str:
    return "; ".join(f"{team}: {scores}" for team, scores in grid_lines(t, data))


def grid_sections(t: Translator, data: OrgData) -> list[Section]:
    if not data.grid:
        return []
    fields = tuple(FieldItem(label=team, value=Line.of(scores)) for team, scores in grid_lines(t, data))
    return [Section(text=Line.of(t("Teams × drivers"))), Section(fields=fields)]


def recognition_sections(t: Translator, data: OrgData) -> list[Section]:
    share = percent(data.recognised / data.people) if data.people else 0
    recognised = t(
        "People recognised in the last {days} days: {count} of {people} ({percent}%).",
        days=QUIET_DAYS,
        count=data.recognised,
        people=data.people,
        percent=share,
    )
    if data.teams_without_kudos:
        quiet = t("Teams without kudos this month: {teams}.", teams=t.join(data.teams_without_kudos))
    else:
        quiet = t("Every team received kudos this month.")
    return [Section(text=Line.of(recognised)), Section(text=Line.of(quiet))]


def reward_sections(t: Translator, data: OrgData) -> list[Section]:
    sections = []
    if data.plans is not None:
        plans = t("Action plans: {started} started, {done} done.", started=data.plans.started, done=data.plans.done)
        sections.append(Section(text=Line.of(plans)))
    if data.reached:
        reached = t("Rewards reached: {teams}.", teams=t.join(owner_name(t, item) for item in data.reached))
    else:
        reached = t("No reward reached yet.")
    sections.append(Section(text=Line.of(reached)))
    fields = tuple(FieldItem(label=owner_name(t, item), value=Line.of(goal_line(t, item))) for item in data.rewards)
    if fields:
        sections.append(Section(fields=fields))
    return sections


def enps_chart(t: Translator, data: OrgData) -> Image | None:
    """eNPS over its last six measures (as the text says them), else the latest and the previous pulse."""
    if data.enps is None:
        return None
    if len(data.enps_measures) > 1:
        return enps_trend(t, data.enps_measures, enps_history(t, data.enps_measures))
    points = [(t("latest pulse"), data.enps.value)]
    if data.enps.previous is not None:
        points.insert(0, (t("previous pulse"), data.enps.previous))
    title = t("eNPS trend")
    alt = alt_text(t, title, (f"{label} {value:+.0f}" for label, value in points))
    chart = TrendChart(title=title, points=tuple(points), low=ENPS_RANGE[0], high=ENPS_RANGE[1])
    return Image(name="enps-trend.png", title=title, alt=alt, chart=chart)


def drivers_chart(t: Translator, data: OrgData) -> Image | None:
    items = [
        (
            driver_name(t, item.driver),
            item.score,
            _before(item.score, item.change),
            _score_text(item.score, item.change),
        )
        for item in data.drivers
    ]
    return score_bars(t, items)


def grid_chart(t: Translator, data: OrgData) -> Image | None:
    if not data.grid or not data.grid_drivers:
        return None
    title = t("Teams × drivers")
    columns = tuple(driver_name(t, driver) for driver in data.grid_drivers)
    cells = tuple(tuple(row.scores.get(driver) for driver in data.grid_drivers) for row in data.grid)
    chart = GridChart(title=title, rows=tuple(row.team for row in data.grid), columns=columns, cells=cells)
    alt = alt_text(t, title, [grid_alt(t, data)])
    return Image(name="teams-drivers.png", title=title, alt=alt, chart=chart)


def rewards_chart(t: Translator, data: OrgData) -> Image | None:
    return reward_progress(t, data.rewards)


CHARTS: tuple[Callable[[Translator, OrgData], Image | None], ...] = (
    enps_chart,
    drivers_chart,
    grid_chart,
    rewards_chart,
)


def org_charts(t: Translator, data: OrgData) -> tuple[Image, ...]:
    """The charts: eNPS trend, driver scores, the grid and reward progress, each only when it has something to show.

    Made of the same figures as the text (numbers only: the sender draws them); a hidden group has no figures, so
    nothing of it is drawn."""
    return tuple(chart for chart in (build(t, data) for build in CHARTS) if chart is not None)


def _before(score: float, change: float | None) -> float | None:
    return None if change is None else score - change


def org_digest_card(t: Translator, *, data: OrgData, window: Window, zone: ZoneInfo) -> Card:
    """The whole organisation digest for one admin."""
    sections = [Section(text=Line.of(t("Pulse")))]
    sections.extend(pulse_sections(t, data))
    sections.extend(grid_sections(t, data))
    sections.extend(recognition_sections(t, data))
    sections.extend(reward_sections(t, data))
    period = date_range(t, window.since, window.until, zone)
    return Card(
        title=t("Organisation digest"),
        sections=tuple(sections),
        context=(Line.of(t("{period}. This digest is private to admins.", period=period)),),
        summary=t("Organisation digest"),
        images=org_charts(t, data),
    )
