"""Charts in the manager and team digests: eNPS over its last six measures, each driver's last known score with the
previous measure, reward progress. Each is a real PNG (decoded here with Pillow) whose text alternative carries the
digest's own numbers; a hidden group is never drawn; a digest is queued with its charts' numbers only, and the PNG is
drawn when it is delivered (identical charts once)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from PIL import Image as Picture

import handlers.charts
from handlers.charts import draw
from handlers.digest.data import DigestData, Window
from handlers.digest.pulse_charts import digest_charts
from handlers.digest.pulse_section import manager_pulse_sections, team_pulse_sections
from handlers.digest.team import team_digest_card
from handlers.i18n import Translator
from handlers.messages import BarsChart, Card, Image, TrendChart
from handlers.pulse.continuity import DriverTrend, Measure
from handlers.pulse.results import GroupResult
from tests.handlers.digest.test_pulse_section import shown_group
from tests.validators.catalogue import NOW, ZONE, standing, team_week

ENPS_HISTORY = (-20.0, -5.0, 10.0, 0.0, 25.0, 40.0)


def with_trends(group: GroupResult) -> GroupResult:
    """Engineering with continuity: eNPS six times, workload twice (down), goals once, and recognition known only
    from an earlier pulse (the latest did not ask it)."""
    weeks = [NOW - timedelta(weeks=2 * (5 - number)) for number in range(6)]
    trends = (
        DriverTrend("goals", (Measure(weeks[5], 6.0),)),
        DriverTrend("recognition", (Measure(weeks[2], 1.5),)),
        DriverTrend("workload", (Measure(weeks[3], 4.0), Measure(weeks[5], 2.5))),
        DriverTrend("enps", tuple(Measure(at, score) for at, score in zip(weeks, ENPS_HISTORY, strict=True))),
    )
    return GroupResult(**{**group.__dict__, "trends": trends})


def decoded(chart: Image) -> Picture.Image:
    picture = Picture.open(BytesIO(chart.data()))
    picture.load()
    assert picture.format == "PNG"
    return picture


def lines(card: Card) -> list[str]:
    return card.plain().splitlines()


def test_the_manager_digest_charts_carry_the_numbers_of_its_text() -> None:
    t = Translator("en", ZONE)
    group = with_trends(shown_group())
    charts = digest_charts(t, [(group, standing(7, goal=True, pot=240))])
    assert [chart.name for chart in charts] == ["enps-trend.png", "drivers.png", "rewards.png"]
    for chart in charts:
        width, height = decoded(chart).size
        assert 100 <= width <= 800 and 100 <= height <= 600
    enps, drivers, rewards = charts
    text = "\n".join(section.text.plain() for section in manager_pulse_sections(t, group, threshold=5) if section.text)
    assert enps.alt in text.splitlines()  # the digest's own eNPS line, six measures with their days
    assert isinstance(enps.chart, TrendChart)
    assert [value for _, value in enps.chart.points] == list(ENPS_HISTORY)
    assert [f"{value:+.0f}" for value in ENPS_HISTORY] == re.findall(r"[+-]\d+(?= \()", enps.alt)
    fields = [
        f"{item.label} {item.value.plain()}"
        for section in manager_pulse_sections(t, group, threshold=5)
        for item in section.fields
    ]
    assert drivers.alt.endswith(": " + ", ".join(fields) + ".")
    assert isinstance(drivers.chart, BarsChart)
    assert drivers.chart.bars == (("Goals", 6.0, None), ("Workload", 2.5, 4.0), ("Recognition", 1.5, None))
    assert rewards.alt == f"Reward progress: {standing(7, goal=True).team.name} 240/300."  # type: ignore[union-attr]


def test_the_suggested_action_looks_at_each_drivers_last_known_score() -> None:
    t = Translator("en", ZONE)
    group = with_trends(shown_group())
    advice = manager_pulse_sections(t, group, threshold=5)[-1].text
    assert advice is not None and advice.plain().startswith("Suggested action (Recognition):")
    latest_only = manager_pulse_sections(t, shown_group(), threshold=5)[-1].text
    assert latest_only is not None and latest_only.plain().startswith("Suggested action (Workload):")


def test_a_hidden_or_open_group_is_never_drawn() -> None:
    t = Translator("en", ZONE)
    hidden = GroupResult(team_id=7, name="Engineering", hidden=True)
    still_open = GroupResult(team_id=7, name="Engineering", hidden=False, closed=False, invited=8, answered=3)
    assert digest_charts(t, [(hidden, standing(7, goal=False))]) == ()
    assert digest_charts(t, [(None, standing(7, goal=False))]) == ()
    (only,) = digest_charts(t, [(still_open, standing(7, goal=True))])
    assert only.name == "rewards.png"


def test_two_teams_of_one_rollup_share_its_charts_once() -> None:
    t = Translator("en", ZONE)
    rollup = with_trends(GroupResult(**{**shown_group().__dict__, "team_id": None, "members": (1, 2)}))
    charts = digest_charts(t, [(rollup, standing(1, goal=True)), (rollup, standing(2, goal=True))])
    assert [chart.name for chart in charts] == ["enps-trend.png", "drivers.png", "rewards.png"]
    assert charts[-1].alt.count(" 240/300") == 2  # one bar per team


def test_the_team_digest_shows_its_scores_enps_and_reward_with_their_charts() -> None:
    t = Translator("en", ZONE)
    group = with_trends(shown_group())
    week = team_week(1)
    charts = digest_charts(t, [(group, week.standing)])
    sections = team_pulse_sections(t, group)
    card = team_digest_card(
        t,
        week=week,
        data=DigestData(window=Window.of(NOW - timedelta(days=7), NOW), weeks={1: week}),
        pulse=sections,
        zone=ZONE,
        charts=charts,
    )
    assert card is not None and card.images == charts
    text = lines(card)
    enps, drivers, rewards = card.images
    assert enps.alt in text and "Too many meetings" not in card.plain()
    for field in ("Workload: 2.5/10 ↓ -1.5", "Recognition: 1.5/10"):
        assert any(line.startswith(field) for line in text)
        assert field.replace(":", "", 1) in drivers.alt
    pot, goal = week.standing.pot, week.standing.goal
    assert any(f"{pot} / {goal} points" in line for line in text) and f"{pot}/{goal}" in rewards.alt
    for chart in card.images:
        decoded(chart)


def test_a_digest_is_queued_with_numbers_and_drawn_once_when_delivered(monkeypatch: pytest.MonkeyPatch) -> None:
    t = Translator("fr", ZONE)
    group = with_trends(shown_group())

    def refuse(*_: object) -> str:
        raise AssertionError("a chart was drawn while the digest was built")

    monkeypatch.setattr(handlers.charts, "_png", refuse)
    charts = digest_charts(t, [(group, standing(7, goal=True))])
    monkeypatch.undo()
    stored = Card(title="digest", images=charts).model_dump_json()
    assert '"png":""' in stored.replace(" ", "")
    queued = Card.model_validate_json(stored)
    assert queued.images == charts
    draw.cache_clear()
    first = [chart.data() for chart in queued.images]
    again = [chart.data() for chart in Card.model_validate_json(stored).images]
    assert first == again and draw.cache_info().hits == len(charts)
    for chart in queued.images:
        decoded(chart)


def test_a_manager_of_several_teams_reads_whose_chart_each_is() -> None:
    t = Translator("en", ZONE)
    first = with_trends(shown_group())
    second = GroupResult(**{**first.__dict__, "team_id": 8, "name": "Support"})
    charts = digest_charts(t, [(first, standing(7, goal=True)), (second, standing(8, goal=True))])
    assert [chart.name for chart in charts] == [
        "enps-trend.png",
        "drivers.png",
        "enps-trend-2.png",
        "drivers-2.png",
        "rewards.png",
    ]
    assert [chart.title for chart in charts[:4]] == [
        "eNPS trend · Engineering",
        "Driver scores (0 to 10), with the previous measure · Engineering",
        "eNPS trend · Support",
        "Driver scores (0 to 10), with the previous measure · Support",
    ]
    assert charts[2].alt.startswith("Support: eNPS over the last 6 pulses: ")
    assert charts[2].chart is not None and charts[2].chart.title == charts[2].title
