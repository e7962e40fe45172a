"""Pulse results in the digests, read only from `handlers.pulse`'s report, so the anonymity rule stays in one place.

Scores come with continuity: every driver's last known score with the date of its pulse (the reader's language and
time zone) and its change since the previous measure of that driver, not only the drivers of the latest pulse, and
eNPS over the last six measures; a measure the anonymity rule hid is skipped. The manager digest shows
participation, driver scores with trend arrows, eNPS, significant drops, anonymous
comments and one suggested action for the weakest driver; the team digest only participation and scores. A team
too small to show alone shows, to its manager, the results of its roll-up (labelled with the teams it pools). A group
the pulse results hide shows no number at all, and neither does a round still open: it shows only how many have
answered so far and when it closes.
"""

from __future__ import annotations

from handlers.i18n import Translator
from handlers.messages import FieldItem, Line, Section
from handlers.pulse import ENPS_DRIVER, DriverTrend, GroupResult, Measure, driver_name, open_notice

SIGNIFICANT_DROP = 1.0
STEADY = 0.3
MAX_COMMENTS = 3
COMMENT_LENGTH = 280


def arrow(change: float | None) -> str:
    """↑, ↓ or → for a change on the 0–10 scale (nothing when there is no earlier pulse to compare with)."""
    if change is None:
        return ""
    if change >= STEADY:
        return "↑"
    if change <= -STEADY:
        return "↓"
    return "→"


def suggestion(t: Translator, driver: str) -> str:
    """One concrete thing a manager can do this week about a driver."""
    suggestions = {
        "purpose": t("Share how the team's work helped a customer recently, and ask what makes the work meaningful."),
        "goals": t("Revisit the team's priorities together so everyone knows what matters most this week."),
        "tools": t("Ask the team which tool or process slows them down the most, and fix one thing."),
        "autonomy": t("Pick one decision the team can own from now on, and tell them."),
        "recognition": t("Recognise a specific contribution this week, in public, with /kudos."),
        "respect": t("Open the next team meeting by agreeing together on how you want to work with each other."),
        "workload": t("Review workloads in your next one-to-ones and drop or postpone one thing."),
        "wellbeing": t("Check in with each person this week and encourage real breaks."),
        "manager": t("Book a one-to-one with each person and ask what you could do differently."),
        "collaboration": t("Plan a working session with the whole team on a shared problem."),
    }
    return suggestions.get(
        driver, t("Talk about {driver} with the team and agree on one small change.", driver=driver_name(t, driver))
    )


def _participation(t: Translator, group: GroupResult) -> str:
    text = t(
        "Pulse of {period}: {answered} of {invited} people answered ({percent}%).",
        period=t.period(group.period) if group.period else "",
        answered=group.answered or 0,
        invited=group.invited or 0,
        percent=round((group.participation or 0.0) * 100),
    )
    if group.participation_change is not None:
        text += " " + t("{change:+d} points since the previous pulse.", change=round(group.participation_change * 100))
    return text


def _day(t: Translator, measure: Measure) -> str:
    return t.day(measure.at.astimezone(t.zone).date())


def _scores(t: Translator, group: GroupResult) -> tuple[FieldItem, ...]:
    """Each driver's score (eNPS apart), best first: its last known one with its date and change when the report
    carries the team's trends, else the latest pulse's."""
    if group.trends:
        trends = sorted((item for item in group.trends if item.driver != ENPS_DRIVER), key=lambda i: -i.last.score)
        return tuple(FieldItem(label=driver_name(t, item.driver), value=Line.of(_trend(t, item))) for item in trends)
    ranked = sorted((item for item in group.drivers if item.driver != ENPS_DRIVER), key=lambda item: -item.score)
    return tuple(
        FieldItem(label=driver_name(t, item.driver), value=Line.of(f"{item.score:.1f}/10 {arrow(item.change)}".strip()))
        for item in ranked
    )


def _trend(t: Translator, item: DriverTrend) -> str:
    """`6.5/10 ↓ -1.0 (Mar 24, 2026)`: the last score, its change since the previous measure, and when."""
    change = item.change
    moved = f" {arrow(change)} {change:+.1f}" if change is not None else ""
    return f"{item.last.score:.1f}/10{moved} ({_day(t, item.last)})"


def _enps(t: Translator, group: GroupResult) -> str | None:
    trend = next((item for item in group.trends if item.driver == ENPS_DRIVER), None)
    if trend is not None:
        values = " → ".join(f"{measure.score:+.0f} ({_day(t, measure)})" for measure in trend.measures)
        count = len(trend.measures)
        return t.plural("eNPS: {values}", "eNPS over the last {count} pulses: {values}", count, values=values)
    for result in group.questions:
        stats = result.stats
        if result.question.driver == ENPS_DRIVER and not result.hidden and stats and stats.enps is not None:
            return t("eNPS: {score:+.0f} {trend}", score=stats.enps, trend=arrow(result.change)).strip()
    return None


def hidden_section(t: Translator, threshold: int) -> Section:
    return Section(
        text=Line.of(
            t(
                "Pulse: too few answers to show results (at least {threshold} are needed to keep them anonymous).",
                threshold=threshold,
            )
        )
    )


def rollup_notice(t: Translator, group: GroupResult, threshold: int) -> Section:
    """Says whose results a roll-up shows, and why."""
    return Section(
        text=Line.of(
            t(
                "Pulse of {teams} together: each team alone has fewer than {threshold} answers, so their results are "
                "shown together.",
                teams=group.name,
                threshold=threshold,
            )
        )
    )


def manager_pulse_sections(t: Translator, group: GroupResult | None, *, threshold: int) -> list[Section]:
    """Everything the manager may see of the team's latest readable pulse."""
    if group is None:
        return []
    if group.hidden:
        return [hidden_section(t, threshold)]
    sections = [rollup_notice(t, group, threshold)] if group.rolled_up else []
    sections.extend(_summary(t, group))
    if not group.closed:
        return sections
    enps = _enps(t, group)
    if enps:
        sections.append(Section(text=Line.of(enps)))
    for item in group.drivers:
        if item.change is not None and item.change <= -SIGNIFICANT_DROP:
            drop = t(
                "⚠ Significant drop: {driver} fell by {points} points since the previous pulse.",
                driver=driver_name(t, item.driver),
                points=f"{-item.change:.1f}",
            )
            sections.append(Section(text=Line.of(drop)))
    comments = [comment for result in group.questions if not result.hidden for comment in result.comments]
    if comments:
        sections.append(Section(text=Line.of(t("Anonymous comments"))))
        for comment in comments[:MAX_COMMENTS]:
            text = comment.text if len(comment.text) <= COMMENT_LENGTH else comment.text[: COMMENT_LENGTH - 1] + "…"
            sections.append(Section(text=Line.of(text), quote=True))
    drivers = [item for item in group.drivers if item.driver != ENPS_DRIVER]
    weakest = min(drivers, key=lambda item: item.score, default=None)
    if weakest is not None:
        advice = t(
            "Suggested action ({driver}): {action}",
            driver=driver_name(t, weakest.driver),
            action=suggestion(t, weakest.driver),
        )
        sections.append(Section(text=Line.of(advice)))
    return sections


def team_pulse_sections(t: Translator, group: GroupResult | None) -> list[Section]:
    """What the team's channel sees: participation and scores, only when the results are shown at all."""
    if group is None or group.hidden:
        return []
    return _summary(t, group)


def _summary(t: Translator, group: GroupResult) -> list[Section]:
    """What every reader of a shown group gets first: how many answered so far while open, else participation and
    driver scores."""
    if not group.closed:
        return [Section(text=Line.of(open_notice(t, group, t("Pulse"))))]
    sections = [Section(text=Line.of(_participation(t, group)))]
    scores = _scores(t, group)
    if scores:
        sections.append(Section(fields=scores))
    return sections
