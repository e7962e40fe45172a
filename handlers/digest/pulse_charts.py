"""The charts of the manager and team digests: eNPS over its last six measures, each driver's last known score with
its previous measure, and reward progress.

A chart is only its numbers here (`handlers.messages.ChartData`): the sender draws it when it delivers the digest,
so the Monday run for thousands of managers draws nothing. Every chart is built from the same figures as the
digest's text, and its text alternative is that text: the same numbers, in the same words. A group the pulse results
hide, or whose round is still open, has no figures, so nothing of it is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from handlers.digest.pulse_section import enps_line, score_items
from handlers.i18n import Translator
from handlers.messages import BarsChart, Image, TrendChart
from handlers.pulse import ENPS_DRIVER, GroupResult, Measure
from handlers.rewards import Standing

SCORE_MAX = 10.0
ENPS_RANGE = (-100.0, 100.0)


def alt_text(t: Translator, title: str, values: Iterable[str]) -> str:
    """`Reward progress: Sales 90/200, Support 40/100.`, punctuated as the reader's language writes it."""
    return t("{chart}: {values}.", chart=title, values=", ".join(values))


def enps_trend(t: Translator, measures: Sequence[Measure], text: str, *, name: str = "enps-trend.png") -> Image:
    """eNPS over its measures, oldest first, each labelled with its day (the reader's); `text` is the digest's line."""
    title = t("eNPS trend")
    points = tuple((t.day(measure.at.astimezone(t.zone).date()), measure.score) for measure in measures)
    chart = TrendChart(title=title, points=points, low=ENPS_RANGE[0], high=ENPS_RANGE[1])
    return Image(name=name, title=title, alt=text, chart=chart)


def score_bars(
    t: Translator, items: Sequence[tuple[str, float, float | None, str]], *, name: str = "drivers.png"
) -> Image | None:
    """Bars of (label, score, previous score or None, the digest's text for it) on 0–10."""
    if not items:
        return None
    title = t("Driver scores (0 to 10), with the previous measure")
    bars = tuple((label, score, before) for label, score, before, _ in items)
    alt = alt_text(t, title, (f"{label} {text}" for label, _, _, text in items))
    return Image(name=name, title=title, alt=alt, chart=BarsChart(title=title, bars=bars, limit=SCORE_MAX))


def owner_name(t: Translator, item: Standing) -> str:
    return item.team.name if item.team is not None else t("the whole organisation")


def reward_progress(t: Translator, standings: Iterable[Standing], *, name: str = "rewards.png") -> Image | None:
    """Each goal's progress as a share of the goal (teams without a goal are left out)."""
    shown = [item for item in standings if item.goal]
    if not shown:
        return None
    title = t("Reward progress")
    bars = tuple((owner_name(t, item), item.ratio, None) for item in shown)
    alt = alt_text(t, title, (f"{owner_name(t, item)} {item.pot}/{item.goal}" for item in shown))
    return Image(name=name, title=title, alt=alt, chart=BarsChart(title=title, bars=bars, limit=1.0, percent=True))


def group_charts(t: Translator, group: GroupResult | None) -> list[Image]:
    """A shown, closed group's eNPS trend and driver scores, from the same figures as `pulse_section`'s text."""
    if group is None or group.hidden or not group.closed:
        return []
    charts: list[Image] = []
    trend = next((item for item in group.trends if item.driver == ENPS_DRIVER), None)
    line = enps_line(t, group)
    if trend is not None and line is not None:
        charts.append(enps_trend(t, trend.measures, line))
    drivers = score_bars(t, score_items(t, group))
    if drivers is not None:
        charts.append(drivers)
    return charts


def digest_charts(t: Translator, parts: Iterable[tuple[GroupResult | None, Standing]]) -> tuple[Image, ...]:
    """The charts of a digest about one or several teams (each team's group and reward standing): each group's
    charts once (two teams of one roll-up share it), then one reward progress chart for all of them."""
    standings: list[Standing] = []
    seen: list[GroupResult] = []
    for group, standing in parts:
        standings.append(standing)
        if group is not None and group not in seen:
            seen.append(group)
    drawn = [(group, group_charts(t, group)) for group in seen]
    several = sum(1 for _, found in drawn if found) > 1
    charts = [_of_group(chart, group.name) if several else chart for group, found in drawn for chart in found]
    rewards = reward_progress(t, standings)
    return (*_named(charts), *((rewards,) if rewards is not None else ()))


def _of_group(chart: Image, name: str) -> Image:
    """A chart of one of several groups in a digest: its title and text alternative say whose it is."""
    title = f"{chart.title} · {name}"
    data = chart.chart.model_copy(update={"title": title}) if chart.chart is not None else None
    return chart.model_copy(update={"title": title, "alt": f"{name}: {chart.alt}", "chart": data})


def _named(charts: list[Image]) -> list[Image]:
    """Distinct file names when a digest about several groups has several charts of a kind."""
    counts: dict[str, int] = {}
    named = []
    for chart in charts:
        counts[chart.name] = counts.get(chart.name, 0) + 1
        if counts[chart.name] > 1:
            stem, _, extension = chart.name.rpartition(".")
            chart = chart.model_copy(update={"name": f"{stem}-{counts[chart.name]}.{extension}"})
        named.append(chart)
    return named
