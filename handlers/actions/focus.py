"""Which driver a team's action plan looks at: the weakest of the three pillars of engagement, and in it the
weakest driver.

Wanting to (purpose, goals), being able to (tools, autonomy), feeling valued (recognition, respect). When a pulse
measured none of them, the weakest of the other drivers (workload, wellbeing…) is the focus; eNPS never is, since a
team cannot act on a recommendation score directly. Only scores the pulse report shows (above the anonymity
threshold) ever reach this module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from handlers.i18n import Translator
from handlers.pulse import ENPS_DRIVER, DriverResult

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


def focus(drivers: Sequence[DriverResult]) -> Focus | None:
    """The weakest pillar's weakest driver, else the weakest other driver; None when no driver is shown."""
    scored = [driver for driver in drivers if driver.driver != ENPS_DRIVER]
    if not scored:
        return None
    pillars: dict[str, list[DriverResult]] = {}
    for driver in scored:
        pillar = pillar_of(driver.driver)
        if pillar is not None:
            pillars.setdefault(pillar, []).append(driver)
    if pillars:
        weakest = min(pillars, key=lambda name: (sum(d.score for d in pillars[name]) / len(pillars[name]), name))
        chosen = min(pillars[weakest], key=lambda driver: (driver.score, driver.driver))
        return Focus(chosen.driver, chosen.score, weakest)
    chosen = min(scored, key=lambda driver: (driver.score, driver.driver))
    return Focus(chosen.driver, chosen.score, None)


def shipped_suggestions(driver: str, language: str) -> list[str]:
    """The suggested actions Bravo ships for a driver, in English or French (`suggestions.json`)."""
    text = resources.files("handlers.actions").joinpath("suggestions.json").read_text(encoding="utf-8")
    bank: dict[str, dict[str, list[str]]] = json.loads(text)
    texts = bank.get(driver, {})
    return list(texts.get(language) or texts.get("en") or [])
