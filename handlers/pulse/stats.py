"""Pulse arithmetic as pure functions, so each can be checked by hand: eNPS and a question's statistics.

They only ever see answers that may be shown: what is too small to show is decided before, in
`handlers.pulse.suppression`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.pulse.questions import SCALES, on_ten

PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6


def enps(values: Sequence[int]) -> float | None:
    """Employee Net Promoter Score: % promoters (9–10) minus % detractors (0–6); passives (7–8) count in the total."""
    if not values:
        return None
    promoters = sum(1 for value in values if value >= PROMOTER_FROM)
    detractors = sum(1 for value in values if value <= DETRACTOR_UP_TO)
    return (promoters - detractors) * 100.0 / len(values)


@dataclass(frozen=True)
class QuestionStats:
    """What a shown question reveals: never built for a hidden one."""

    responses: int
    average: float
    distribution: dict[int, int]
    enps: float | None
    on_ten: float


def question_stats(scale: str, values: Sequence[int], *, is_enps: bool) -> QuestionStats:
    counts = Counter(values)
    average = sum(values) / len(values) if values else 0.0
    return QuestionStats(
        responses=len(values),
        average=average,
        distribution={value: counts.get(value, 0) for value in sorted(SCALES[scale])},
        enps=enps(values) if is_enps else None,
        on_ten=on_ten(scale, average),
    )
