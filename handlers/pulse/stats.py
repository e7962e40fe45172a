"""Pulse arithmetic and the anonymity rule, as pure functions so each can be checked by hand.

`hidden_groups` is the one place that decides what is too small to show; `handlers.pulse.results` applies it to
every group and every question before any reader (chat, digest, CLI, export) sees a number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from handlers.pulse.questions import SCALES, on_ten

K = TypeVar("K", bound=Hashable)

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


def hidden_groups(counts: Mapping[K, int], *, threshold: int, forced: Iterable[K] = ()) -> tuple[set[K], bool]:
    """Which sibling groups to hide, and whether their parent (all of them together) must be hidden too.

    A group with fewer than `threshold` respondents is hidden. Because the parent shows everyone's answers, the
    hidden groups could be computed by subtraction (parent minus the shown siblings); so the hidden groups must
    together hold no respondent or at least `threshold` of them: otherwise the next-smallest shown sibling is hidden
    too, and when none is left the parent is hidden. `forced` groups are hidden whatever their size.
    """
    hidden = {key for key, count in counts.items() if count < threshold} | (set(forced) & set(counts))
    if sum(counts.values()) < threshold:
        return set(counts), True

    def leaks() -> bool:
        together = sum(counts[key] for key in hidden)
        return 0 < together < threshold

    while leaks():
        shown = [key for key, count in counts.items() if key not in hidden and count > 0]
        if not shown:
            return hidden, True
        hidden.add(min(shown, key=lambda key: (counts[key], str(key))))
    return hidden, False
