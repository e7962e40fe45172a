"""Pulse results in the digests, read only from `handlers.pulse`'s report, so the anonymity rule stays in one place.

Scores come with continuity: every driver's last known score with the date of its pulse (the reader's language and
time zone) and its change since the previous measure of that driver, not only the drivers of the latest pulse, and
eNPS over the last six measures; a measure the anonymity rule hid is skipped. The manager digest shows
participation, driver scores with trend arrows, eNPS, significant drops, anonymous
comments and one suggested action for the weakest driver (the lowest last known score, so a driver the latest pulse
did not ask is not forgotten); the team digest only participation, scores and eNPS. A team
too small to show alone shows, to its manager, the results of its roll-up (labelled with the teams it pools). A group
the pulse results hide shows no number at all, and neither does a round still open: it shows only how many have
answered so far and when it closes.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.i18n import Translator
from handlers.messages import FieldItem, Line, Section
from handlers.pulse import ENPS_DRIVER, DriverTrend, GroupResult, Measure, driver_name, last_known, open_notice

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


def score_items(t: Translator, group: GroupResult) -> list[tuple[str, float, float | None, str]]:
    """Each driver (eNPS apart), best first, as (name, score, previous score or None, text): its last known score
    with its date and change when the report carries the group's trends, else the latest pulse's. The digest's
    fields and its driver chart are both made of these."""
    if group.trends:
        trends = sorted((item for item in group.trends if item.driver != ENPS_DRIVER), key=lambda i: -i.last.score)
        return [
            (driver_name(t, item.driver), item.last.score, _before(item.last.score, item.change), _trend(t, item))
            for item in trends
        ]
    ranked = sorted((item for item in group.drivers if item.driver != ENPS_DRIVER), key=lambda item: -item.score)
    return [
        (
            driver_name(t, item.driver),
            item.score,
            _before(item.score, item.change),
            f"{item.score:.1f}/10 {arrow(item.change)}".strip(),
        )
        for item in ranked
    ]


def _before(score: float, change: float | None) -> float | None:
    return None if change is None else score - change


def _scores(t: Translator, group: GroupResult) -> tuple[FieldItem, ...]:
    return tuple(FieldItem(label=name, value=Line.of(text)) for name, _, _, text in score_items(t, group))


def _trend(t: Translator, item: DriverTrend) -> str:
    """`6.5/10 ↓ -1.0 (Mar 24, 2026)`: the last score, its change since the previous measure, and when."""
    change = item.change
    moved = f" {arrow(change)} {change:+.1f}" if change is not None else ""
    return f"{item.last.score:.1f}/10{moved} ({_day(t, item.last)})"


def enps_line(t: Translator, group: GroupResult) -> str | None:
    """eNPS over its last measures (with their days) when the report carries its trend, else the latest pulse's."""
    trend = next((item for item in group.trends if item.driver == ENPS_DRIVER), None)
    if trend is not None:
        return enps_history(t, trend.measures)
    for result in group.questions:
        stats = result.stats
        if result.question.driver == ENPS_DRIVER and not result.hidden and stats and stats.enps is not None:
            return t("eNPS: {score:+.0f} {trend}", score=stats.enps, trend=arrow(result.change)).strip()
    return None


def enps_history(t: Translator, measures: Sequence[Measure]) -> str:
    """`eNPS over the last 2 pulses: +50 (Nov 18, 2026) → +100 (Jan 13, 2027)`."""
    values = " → ".join(f"{measure.score:+.0f} ({_day(t, measure)})" for measure in measures)
    return t.plural("eNPS: {values}", "eNPS over the last {count} pulses: {values}", len(measures), values=values)


def weakest_driver(group: GroupResult) -> str | None:
    """The driver with the lowest last known score (continuity), eNPS never."""
    scores = last_known(((item.driver, item.score) for item in group.drivers), group.trends)
    ranked = sorted((score, driver) for driver, score in scores.items() if driver != ENPS_DRIVER)
    return ranked[0][1] if ranked else None


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
    enps = enps_line(t, group)
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
    weakest = weakest_driver(group)
    if weakest is not None:
        advice = t(
            "Suggested action ({driver}): {action}",
            driver=driver_name(t, weakest),
            action=suggestion(t, weakest),
        )
        sections.append(Section(text=Line.of(advice)))
    return sections


def team_pulse_sections(t: Translator, group: GroupResult | None) -> list[Section]:
    """What the team's channel sees: participation, scores and eNPS, only when the results are shown at all."""
    if group is None or group.hidden:
        return []
    sections = _summary(t, group)
    enps = enps_line(t, group) if group.closed else None
    if enps:
        sections.append(Section(text=Line.of(enps)))
    return sections


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
