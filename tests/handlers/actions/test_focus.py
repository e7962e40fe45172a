"""Which driver a plan looks at, and the suggested actions Bravo ships for each driver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.actions.focus import PILLARS, Focus, focus, shipped_suggestions
from handlers.actions.suggestions import action_drivers
from handlers.pulse import DriverResult, DriverTrend, Measure


def _drivers(**scores: float) -> list[DriverResult]:
    return [DriverResult(driver=name, score=score, responses=6, change=None) for name, score in scores.items()]


def test_the_weakest_pillar_is_named_and_its_weakest_driver_is_the_focus() -> None:
    chosen = focus(_drivers(purpose=6.0, goals=2.0, tools=3.0, autonomy=3.5, recognition=9.0, workload=1.0, enps=0.5))
    assert chosen == Focus("tools", 3.0, "able")  # able averages 3.25, wanting 4.0; workload is not a pillar


def test_without_a_pillar_measured_the_weakest_other_driver_is_the_focus_and_enps_never_is() -> None:
    assert focus(_drivers(workload=4.0, wellbeing=3.0, enps=1.0)) == Focus("wellbeing", 3.0, None)
    assert focus(_drivers(enps=1.0)) is None
    assert focus([]) is None


def test_the_three_pillars_are_wanting_being_able_and_feeling_valued() -> None:
    assert PILLARS == {
        "wanting": ("purpose", "goals"),
        "able": ("tools", "autonomy"),
        "valued": ("recognition", "respect"),
    }


def test_every_driver_a_team_can_act_on_ships_suggestions_in_english_and_french() -> None:
    for driver in action_drivers():
        english, french = shipped_suggestions(driver, "en"), shipped_suggestions(driver, "fr")
        assert len(english) >= 2 and len(french) == len(english), driver
        assert english != french and all(0 < len(text) <= 200 for text in english + french), driver
    assert "enps" not in action_drivers()


def test_each_driver_counts_with_its_last_known_score_not_only_the_latest_pulses() -> None:
    """Recognition was low two weeks ago and not asked since: it stays the focus, with its last score."""
    earlier = datetime(2026, 11, 4, tzinfo=UTC)
    trends = (
        DriverTrend("recognition", (Measure(earlier, 2.0),)),
        DriverTrend("tools", (Measure(earlier, 3.0), Measure(earlier + timedelta(days=14), 5.0))),
    )
    latest = _drivers(tools=5.0, autonomy=6.0, purpose=7.0)
    assert focus(latest) == Focus("tools", 5.0, "able")
    assert focus(latest, trends) == Focus("recognition", 2.0, "valued")
