"""Which questions a round asks: drivers in turn, least recently asked first, eNPS at most once a month.

Pure, so the rotation can be checked against any history: with D drivers and k questions per pulse, every driver
comes back within ceil(D / k) rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, TypeVar

from handlers.pulse.questions import ENPS_DRIVER

ENPS_INTERVAL = timedelta(days=28)


class Askable(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def driver(self) -> str: ...


Q = TypeVar("Q", bound=Askable)


@dataclass(frozen=True)
class PastRound:
    """A team's earlier round: its day and the questions it asked."""

    day: date
    question_ids: tuple[int, ...]


def choose_questions(questions: Sequence[Q], history: Sequence[PastRound], count: int, today: date) -> list[Q]:
    """Up to `count` questions from `questions` (the active bank, in bank order), given `history` (oldest first)."""
    last_asked: dict[int, int] = {}
    for index, past in enumerate(history):
        for position, question_id in enumerate(past.question_ids):
            last_asked[question_id] = index * 1000 + position
    chosen: list[Q] = []
    enps = [question for question in questions if question.driver == ENPS_DRIVER]
    if enps and count > 0 and _enps_due(enps, history, today):
        chosen.append(min(enps, key=lambda question: (last_asked.get(question.id or 0, -1), enps.index(question))))
    by_driver: dict[str, list[Q]] = {}
    for question in questions:
        if question.driver != ENPS_DRIVER:
            by_driver.setdefault(question.driver, []).append(question)
    order = list(by_driver)

    def driver_recency(driver: str) -> tuple[int, int]:
        asked = [last_asked.get(question.id or 0, -1) for question in by_driver[driver]]
        return max(asked), order.index(driver)

    for driver in sorted(order, key=driver_recency)[: max(0, count - len(chosen))]:
        pool = by_driver[driver]
        chosen.append(min(pool, key=lambda question: (last_asked.get(question.id or 0, -1), pool.index(question))))
    return chosen


def _enps_due(enps: Sequence[Askable], history: Sequence[PastRound], today: date) -> bool:
    ids = {question.id for question in enps}
    asked = [past.day for past in history if ids & set(past.question_ids)]
    return not asked or today - max(asked) >= ENPS_INTERVAL
