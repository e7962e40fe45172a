"""Which driver a team's action plan looks at: the weakest of the three pillars of engagement, and in it the
weakest driver.

Wanting to (purpose, goals), being able to (tools, autonomy), feeling valued (recognition, respect). When a pulse
measured none of them, the weakest of the other drivers (workload, wellbeing…) is the focus; eNPS never is, since a
team cannot act on a recommendation score directly. Each driver counts with its last known score (the team's
continuity), so a driver the latest pulse did not ask still counts. Only scores the pulse report shows (above the
anonymity threshold) ever reach this module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from handlers.i18n import Translator
from handlers.pulse import ENPS_DRIVER, DriverResult, DriverTrend, last_known

PILLARS: dict[str, tuple[str, ...]] = {
    "wanting": ("purpose", "goals"),
    "able": ("tools", "autonomy"),
    "valued": ("recognition", "respect"),
}


@dataclass(frozen=True)
class Focus:
    """The driver to act on, its score (0–10) and the pillar it belongs to (None for the other drivers)."""

    driver: str
    score: float
    pillar: str | None


def pillar_of(driver: str) -> str | None:
    return next((pillar for pillar, drivers in PILLARS.items() if driver in drivers), None)


def pillar_name(t: Translator, pillar: str) -> str:
    names = {"wanting": t("Wanting to"), "able": t("Being able to"), "valued": t("Feeling valued")}
    return names.get(pillar, pillar)


def focus(drivers: Sequence[DriverResult], trends: Sequence[DriverTrend] = ()) -> Focus | None:
    """The weakest pillar's weakest driver, else the weakest other driver; None when no driver is shown.

    Each driver counts with its last known score (`trends`: the team's continuity), not only the drivers of the
    latest pulse: drivers rotate, and last week's low score must not disappear from the plan's focus."""
    known = last_known(((item.driver, item.score) for item in drivers), trends)
    scored = sorted((driver, score) for driver, score in known.items() if driver != ENPS_DRIVER)
    if not scored:
        return None
    pillars: dict[str, list[tuple[str, float]]] = {}
    for driver, score in scored:
        pillar = pillar_of(driver)
        if pillar is not None:
            pillars.setdefault(pillar, []).append((driver, score))
    if pillars:
        weakest = min(pillars, key=lambda name: (sum(score for _, score in pillars[name]) / len(pillars[name]), name))
        driver, score = min(pillars[weakest], key=lambda item: (item[1], item[0]))
        return Focus(driver, score, weakest)
    driver, score = min(scored, key=lambda item: (item[1], item[0]))
    return Focus(driver, score, None)


def shipped_suggestions(driver: str, language: str) -> list[str]:
    """The suggested actions Bravo ships for a driver, in English or French (`suggestions.json`)."""
    text = resources.files("handlers.actions").joinpath("suggestions.json").read_text(encoding="utf-8")
    bank: dict[str, dict[str, list[str]]] = json.loads(text)
    texts = bank.get(driver, {})
    return list(texts.get(language) or texts.get("en") or [])
