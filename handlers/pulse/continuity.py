"""Each driver's measures over a team's recent pulses, so a score does not vanish when its driver is not asked.

Drivers rotate from pulse to pulse: the digests show every driver's last known score with its date and its change
since the previous measure of that driver, and eNPS over the last six measures. A measure is a round's score for a
driver, counted only when `handlers.pulse.suppression` showed the team's answers to those questions in that round
(judged among the round's peers, as for any change): a hidden measure is skipped, never shown, and no change is
drawn from it. Only a team's last `RECENT_ROUNDS` readable rounds are read, however long its history.

A roll-up of small teams has measures too, in the periods where exactly the same teams were rolled up together and
the roll-up was shown (so a change compares two pools of the same teams, each shown in its own round, and never
isolates one team); the organisation has its eNPS over the recent periods, where it was shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from handlers.pulse.figures import Asked
from handlers.pulse.questions import ENPS_DRIVER, on_ten
from handlers.pulse.rollup import Rollup
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


def last_known(drivers: Iterable[tuple[str, float]], found: Iterable[DriverTrend]) -> dict[str, float]:
    """Each driver's last known score: its trend's last measure (continuity), else its score in the latest pulse
    (`drivers`: (driver, score) pairs), so that a weak driver the latest pulse did not ask is not forgotten."""
    scores = dict(drivers)
    scores.update((trend.driver, trend.last.score) for trend in found)
    return scores


def recent_rounds(history: dict[int, list[PulseRound]]) -> list[int]:
    """The rounds whose answers the trends read: each team's last `RECENT_ROUNDS` readable rounds."""
    return sorted({pulse.id or 0 for pulses in history.values() for pulse in pulses[-RECENT_ROUNDS:]})


# Whether a group's answers to a question in a round were shown then.
Shown = Callable[[PulseRound, int], bool]


def trends(asked: Asked, team: int, *, threshold: int, hidden_now: Collection[int] = ()) -> tuple[DriverTrend, ...]:
    """The team's drivers (eNPS last), each with its shown measures; `hidden_now`: the questions the report hides
    in the team's latest round (never counted, whatever the round's peers say)."""
    pulses = asked.history.get(team, [])[-RECENT_ROUNDS:]

    def shown(pulse: PulseRound, question_id: int) -> bool:
        skip = hidden_now if pulse is pulses[-1] else ()
        return question_id not in skip and asked.visible_then(pulse, question_id, threshold=threshold)[0]

    return _trends(asked, [(_aware(pulse.opened_at), [pulse]) for pulse in pulses], shown)


def rollup_trends(
    asked: Asked, group: Rollup, *, threshold: int, hidden_now: Collection[int] = ()
) -> tuple[DriverTrend, ...]:
    """A roll-up's drivers over the recent periods in which the same teams, and only they, were rolled up together
    and shown (judged among each period's teams, as for any change: `Asked.rollup_visible_then`), their answers
    pooled. Empty unless the latest of them is the roll-up's current round: a trend never ends on an older pool."""
    members = sorted(group)
    current = {asked.history[team][-1].period for team in members if asked.history.get(team)}
    if len(current) != 1:
        return ()
    latest = current.pop()
    periods: dict[str, list[PulseRound]] = defaultdict(list)
    for team in members:
        for pulse in asked.history.get(team, [])[-RECENT_ROUNDS:]:
            periods[pulse.period].append(pulse)
    matching = [(period, rounds) for period, rounds in periods.items() if {pulse.team_id for pulse in rounds} == group]
    if latest not in dict(matching):
        return ()
    points = sorted(((_opened(rounds), rounds) for _, rounds in matching), key=lambda point: point[0])

    def shown(pulse: PulseRound, question_id: int) -> bool:
        skip = hidden_now if pulse.period == latest else ()
        return question_id not in skip and asked.rollup_visible_then(pulse, group, question_id, threshold=threshold)

    return _trends(asked, points[-RECENT_ROUNDS:], shown)


def organisation_trends(asked: Asked, *, threshold: int) -> tuple[DriverTrend, ...]:
    """The organisation's eNPS over its recent periods: every team's answers of a period pooled, for the questions
    the organisation was shown for then (`Asked.visible_then`)."""
    periods: dict[str, list[PulseRound]] = {}
    for pulses in asked.history.values():
        for pulse in pulses[-RECENT_ROUNDS:]:
            peers = asked.peers.get(pulse.id or 0)
            if peers is not None:
                periods.setdefault(pulse.period, peers)
    points = sorted(((_opened(rounds), rounds) for rounds in periods.values()), key=lambda point: point[0])

    def shown(pulse: PulseRound, question_id: int) -> bool:
        is_enps = asked.questions[question_id].driver == ENPS_DRIVER
        return is_enps and asked.visible_then(pulse, question_id, threshold=threshold)[1]

    return _trends(asked, points[-ENPS_MEASURES:], shown)


def _trends(
    asked: Asked, points: Sequence[tuple[datetime, Sequence[PulseRound]]], shown: Shown
) -> tuple[DriverTrend, ...]:
    """Each driver's shown measures over the points, oldest first (the last two, or the last six for eNPS)."""
    measures: dict[str, list[Measure]] = defaultdict(list)
    for at, rounds in points:
        for driver, score in _scores(asked, rounds, shown).items():
            measures[driver].append(Measure(at, score))
    found = [
        DriverTrend(driver, tuple(items[-(ENPS_MEASURES if driver == ENPS_DRIVER else 2) :]))
        for driver, items in measures.items()
    ]
    return tuple(sorted(found, key=lambda trend: (trend.driver == ENPS_DRIVER, trend.driver)))


def _scores(asked: Asked, rounds: Sequence[PulseRound], shown: Shown) -> dict[str, float]:
    """Each driver's score over some rounds (pooled), from the questions whose answers were shown then."""
    scored: dict[str, list[float]] = defaultdict(list)
    promoters: list[int] = []
    for pulse in rounds:
        for question_id in asked.round_questions.get(pulse.id or 0, []):
            values = asked.values.get((pulse.id or 0, question_id))
            if not values or not shown(pulse, question_id):
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


def _opened(rounds: Sequence[PulseRound]) -> datetime:
    """When a period's pulse was sent: its first round."""
    return min(_aware(pulse.opened_at) for pulse in rounds)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
