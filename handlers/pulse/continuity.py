"""Each driver's measures over a team's recent pulses, so a score does not vanish when its driver is not asked.

Drivers rotate from pulse to pulse: the digests show every driver's last known score with its date and its change
since the previous measure of that driver, and eNPS over the last six measures. A measure is a round's score for a
driver, counted only when `handlers.pulse.suppression` showed the team's answers to those questions in that round
(judged among the round's peers, as for any change): a hidden measure is skipped, never shown, and no change is
drawn from it. Only a team's last `RECENT_ROUNDS` readable rounds are read, however long its history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from handlers.pulse.figures import Asked
from handlers.pulse.questions import ENPS_DRIVER, on_ten
from handlers.pulse.stats import enps
from storage.models import PulseRound

RECENT_ROUNDS = 6
ENPS_MEASURES = 6


@dataclass(frozen=True)
class Measure:
    """A driver's score in one round (on 0–10; for eNPS the eNPS itself), and when that pulse was sent."""

    at: datetime
    score: float


@dataclass(frozen=True)
class DriverTrend:
    """A driver's shown measures, oldest first (the last two, or the last six for eNPS)."""

    driver: str
    measures: tuple[Measure, ...]

    @property
    def last(self) -> Measure:
        return self.measures[-1]

    @property
    def change(self) -> float | None:
        """Since the previous shown measure of this driver (None with only one)."""
        return self.measures[-1].score - self.measures[-2].score if len(self.measures) > 1 else None


def recent_rounds(history: dict[int, list[PulseRound]]) -> list[int]:
    """The rounds whose answers the trends read: each team's last `RECENT_ROUNDS` readable rounds."""
    return sorted({pulse.id or 0 for pulses in history.values() for pulse in pulses[-RECENT_ROUNDS:]})


def trends(asked: Asked, team: int, *, threshold: int, hidden_now: Collection[int] = ()) -> tuple[DriverTrend, ...]:
    """The team's drivers (eNPS last), each with its shown measures; `hidden_now`: the questions the report hides
    in the team's latest round (never counted, whatever the round's peers say)."""
    pulses = asked.history.get(team, [])[-RECENT_ROUNDS:]
    measures: dict[str, list[Measure]] = defaultdict(list)
    for pulse in pulses:
        skip = hidden_now if pulse is pulses[-1] else ()
        for driver, score in _round_scores(asked, pulse, threshold=threshold, skip=skip).items():
            measures[driver].append(Measure(_aware(pulse.opened_at), score))
    found = [
        DriverTrend(driver, tuple(shown[-(ENPS_MEASURES if driver == ENPS_DRIVER else 2) :]))
        for driver, shown in measures.items()
    ]
    return tuple(sorted(found, key=lambda trend: (trend.driver == ENPS_DRIVER, trend.driver)))


def _round_scores(asked: Asked, pulse: PulseRound, *, threshold: int, skip: Collection[int]) -> dict[str, float]:
    """Each driver's score in one round, from the questions whose answers were shown then."""
    scored: dict[str, list[float]] = defaultdict(list)
    promoters: list[int] = []
    for question_id in asked.round_questions.get(pulse.id or 0, []):
        values = asked.values.get((pulse.id or 0, question_id))
        if not values or question_id in skip or not asked.visible_then(pulse, question_id, threshold=threshold)[0]:
            continue
        question = asked.questions[question_id]
        if question.driver == ENPS_DRIVER:
            promoters.extend(values)
        else:
            scored[question.driver].extend(on_ten(question.scale, value) for value in values)
    scores = {driver: sum(values) / len(values) for driver, values in scored.items()}
    score = enps(promoters)
    if score is not None:
        scores[ENPS_DRIVER] = score
    return scores


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
