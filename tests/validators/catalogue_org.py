"""Organisation digests for the validator catalogue: twelve teams (some hidden, one with its pulse still open), every
driver, reward progress and the four charts; and one with nothing to chart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import cache

from handlers.digest.data import Window
from handlers.digest.org import org_digest_card
from handlers.digest.org_data import ActionPlanCounts, GridRow, Measure, OrgData
from handlers.i18n import Translator
from handlers.messages import Card
from handlers.pulse import DriverResult
from handlers.pulse.continuity import Measure as PulseMeasure
from handlers.pulse.questions import DRIVERS, ENPS_DRIVER
from tests.validators.catalogue import LONG_TEAM, NOW, TEAMS, ZONE, standing

WINDOW = Window.of(NOW - timedelta(days=7), NOW)
SCORED = tuple(driver for driver in DRIVERS if driver != ENPS_DRIVER)
# The organisation's eNPS over its last six pulses, a fortnight apart, ending with the latest (+18, -6 since the
# previous one).
ENPS_HISTORY = tuple(
    PulseMeasure(NOW - timedelta(weeks=2 * (5 - number)), score)
    for number, score in enumerate((-10.0, 0.0, 5.0, 12.0, 24.0, 18.0))
)


def grid_row(index: int) -> GridRow:
    name = LONG_TEAM if index == 1 else f"Team {index}"
    if index % 4 == 0:
        return GridRow(team=name, scores={})
    if index == 3:
        return GridRow(team=name, scores={}, open=True)
    return GridRow(team=name, scores={driver: 4.0 + (index + number) % 6 for number, driver in enumerate(SCORED)})


def org_data(*, charts: bool = True) -> OrgData:
    drivers = tuple(
        DriverResult(driver, 6.5 + number / 10, 40, 0.3 - number / 10) for number, driver in enumerate(SCORED)
    )
    rewards = tuple(standing(index, goal=True, pot=100 * index) for index in range(1, 8))
    return OrgData(
        period="2026-W47",
        answered=87,
        invited=120,
        participation=Measure(87 / 120, 0.04),
        enps=Measure(18.0, -6.0) if charts else None,
        drivers=drivers if charts else (),
        grid=tuple(grid_row(index) for index in range(1, TEAMS + 1)) if charts else (),
        grid_drivers=SCORED if charts else (),
        people=480,
        recognised=301,
        teams_without_kudos=tuple(f"Team {index}" for index in range(20, 26)),
        plans=ActionPlanCounts(started=9, done=4) if charts else None,
        rewards=rewards if charts else (),
        reached=rewards[2:4] if charts else (),
        enps_measures=ENPS_HISTORY if charts else (),
    )


@cache
def org_cards(language: str) -> tuple[tuple[str, Card], ...]:
    t = Translator(language)
    return (
        ("digest.org.twelve-teams", org_digest_card(t, data=org_data(), window=WINDOW, zone=ZONE)),
        ("digest.org.nothing-to-chart", org_digest_card(t, data=org_data(charts=False), window=WINDOW, zone=ZONE)),
    )


def org_card_items(language: str) -> Iterator[tuple[str, Card]]:
    yield from org_cards(language)
