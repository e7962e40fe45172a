"""The figures of a pulse report: each question's statistics and change, and each driver's score on 0–10.

Computed for a team or the organisation only where `handlers.pulse.suppression` lets them show; a hidden question
is a `QuestionResult` with no statistics at all. A change compares with the last earlier round that asked the same
question, and only when that round's answers may be shown too. A roll-up of small teams pools its teams' answers and
shows no change: its teams may differ from one pulse to the next.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from handlers.pulse.questions import ENPS_DRIVER, on_ten
from handlers.pulse.rollup import Hierarchy, Rollup, rollups
from handlers.pulse.stats import QuestionStats, question_stats
from handlers.pulse.suppression import (
    QuestionVisibility,
    Suppressed,
    TeamVisibility,
    question_visibility,
    round_suppressed,
)
from storage.models import PulseQuestion, PulseRound

Values = dict[tuple[int, int], list[int]]
# A period's respondents per team, its roll-ups, and per question the (team, round) pairs that asked it.
_Period = tuple[dict[int, int], list[Rollup], dict[int, list[tuple[int, int]]]]
Answers = dict[int, list[int]]


@dataclass(frozen=True)
class CommentView:
    id: str
    text: str
    replies: int
    can_reply: bool


@dataclass(frozen=True)
class QuestionResult:
    question: PulseQuestion
    hidden: bool
    stats: QuestionStats | None = None
    change: float | None = None
    comments: tuple[CommentView, ...] = ()


@dataclass(frozen=True)
class DriverResult:
    driver: str
    score: float
    responses: int
    change: float | None


@dataclass(frozen=True)
class Asked:
    """What the readable rounds asked and was answered: each team's rounds (oldest first), each round's questions,
    the answers by (round, question), the questions themselves, each readable round's peers (the rounds of every
    team read in the same period), each round's respondents and the management tree roll-ups climb."""

    history: dict[int, list[PulseRound]]
    round_questions: dict[int, list[int]]
    values: Values
    questions: dict[int, PulseQuestion]
    peers: dict[int, list[PulseRound]] = field(default_factory=dict)
    answered: dict[int, int] = field(default_factory=dict)
    hierarchy: Hierarchy = field(default_factory=Hierarchy)

    judged: dict[tuple[str, int | None, int], Suppressed] = field(default_factory=dict, compare=False)
    rows: dict[tuple[int, int], _Period] = field(default_factory=dict, compare=False)

    def visible_then(self, pulse: PulseRound, question_id: int | None, *, threshold: int) -> tuple[bool, bool]:
        """Whether `pulse`'s team, and the organisation, were shown (for the question) when `pulse` was read."""
        then = self._then(pulse, question_id, threshold=threshold)
        return pulse.team_id not in then.hidden, not then.organisation_hidden

    def rollup_visible_then(self, pulse: PulseRound, group: Rollup, question_id: int, *, threshold: int) -> bool:
        """Whether `group` was one of the roll-ups of `pulse`'s period, and shown (for the question) then."""
        if group not in self._period(pulse, threshold=threshold)[1]:
            return False
        return group not in self._then(pulse, question_id, threshold=threshold).hidden_rollups

    def _then(self, pulse: PulseRound, question_id: int | None, *, threshold: int) -> Suppressed:
        """What `pulse`'s period hid (for the question): judged once per period and question for all its teams
        (a report asks for every team and round)."""
        known = (pulse.id or 0) in self.peers
        key = (pulse.period if known else f"round {pulse.id}", question_id, threshold)
        if key not in self.judged:
            self.judged[key] = self._judge(pulse, question_id, threshold=threshold)
        return self.judged[key]

    def _judge(self, pulse: PulseRound, question_id: int | None, *, threshold: int) -> Suppressed:
        team_answered, groups, asked = self._period(pulse, threshold=threshold)
        answers = None
        if question_id is not None:
            answers = {team: len(self.values.get((round_id, question_id), [])) for team, round_id in asked[question_id]}
        return round_suppressed(team_answered, answers, threshold=threshold, rollups=groups)

    def _period(self, pulse: PulseRound, *, threshold: int) -> _Period:
        """A period's respondents per team, its roll-ups and who was asked each question: built once per period,
        whatever the number of questions and teams judged in it."""
        peers = self.peers.get(pulse.id or 0)
        # The period's list is kept by `peers`, so its id names it; a round without peers is named by its own id.
        key = (id(peers), threshold) if peers is not None else (-(pulse.id or 0) - 1, threshold)
        peers = peers if peers is not None else [pulse]
        if key not in self.rows:
            rows = [(p.team_id, p.id or 0, p.period) for p in peers]
            team_answered = {team: self.answered.get(round_id, 0) for team, round_id, _ in rows}
            periods = {team: period for team, _, period in rows}
            asked: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for team, round_id, _ in rows:
                for question in self.round_questions.get(round_id, []):
                    asked[question].append((team, round_id))
            groups = rollups(team_answered, periods, threshold=threshold, hierarchy=self.hierarchy)
            self.rows[key] = (team_answered, groups, asked)
        return self.rows[key]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


class Figures:
    """Per-question results for the teams and the organisation, then the drivers' scores from the shown ones."""

    def __init__(self, asked: Asked, *, threshold: int, teams: TeamVisibility) -> None:
        self.asked = asked
        self.threshold = threshold
        self.teams = teams
        self.organisation_results: list[QuestionResult] = []
        self.rollup_results: dict[Rollup, list[QuestionResult]] = defaultdict(list)
        self.team_values: dict[tuple[int, int], tuple[list[int], list[int] | None]] = {}

    def questions_by_team(self) -> dict[int, list[QuestionResult]]:
        """Each team's results for the questions of its latest round (eNPS last); the organisation's are kept too."""
        per_team: dict[int, list[QuestionResult]] = defaultdict(list)
        for question_id in self._ordered_questions():
            question = self.asked.questions[question_id]
            current, before, then = self._answers_to(question_id)
            seen = question_visibility(
                {team: len(answers) for team, answers in current.items()},
                {team: len(answers) for team, answers in before.items()},
                threshold=self.threshold,
                teams=self.teams,
            )
            for team, answers in current.items():
                old = before.get(team) if team not in seen.hidden_before and then.get(team, (False,))[0] else None
                self.team_values[(team, question_id)] = (answers, old)
                shown = team not in seen.hidden
                per_team[team].append(self._result(question, answers, old) if shown else QuestionResult(question, True))
            self._rollup_results(question, current, seen)
            organisation_then = all(shown for _, shown in then.values())
            self.organisation_results.append(
                self._organisation_result(question, current, before if organisation_then else {}, seen)
            )
        return per_team

    def _rollup_results(self, question: PulseQuestion, current: Answers, seen: QuestionVisibility) -> None:
        """Each roll-up's pooled answers to the question, when one of its teams was asked it."""
        for group in self.teams.rollups:
            if not group & set(current):
                continue
            if group in seen.hidden_rollups:
                self.rollup_results[group].append(QuestionResult(question, True))
                continue
            pooled = [value for team in sorted(group) for value in current.get(team, [])]
            self.rollup_results[group].append(self._result(question, pooled, None))

    def _ordered_questions(self) -> list[int]:
        asked = self.asked
        latest = {q for pulses in asked.history.values() for q in asked.round_questions.get(pulses[-1].id or 0, [])}
        return sorted(latest, key=lambda q: (asked.questions[q].driver == ENPS_DRIVER, q))

    def _answers_to(self, question_id: int) -> tuple[Answers, Answers, dict[int, tuple[bool, bool]]]:
        """Each team's answers to the question in its latest round, the last time before that it was asked, and
        whether the team and the organisation were shown then."""
        current: Answers = {}
        before: Answers = {}
        then: dict[int, tuple[bool, bool]] = {}
        for team, pulses in self.asked.history.items():
            if question_id not in self.asked.round_questions.get(pulses[-1].id or 0, []):
                continue
            current[team] = self.asked.values.get((pulses[-1].id or 0, question_id), [])
            earlier = [p for p in pulses[:-1] if question_id in self.asked.round_questions.get(p.id or 0, [])]
            if earlier:
                before[team] = self.asked.values.get((earlier[-1].id or 0, question_id), [])
                then[team] = self.asked.visible_then(earlier[-1], question_id, threshold=self.threshold)
        return current, before, then

    def _organisation_result(
        self, question: PulseQuestion, current: Answers, before: Answers, seen: QuestionVisibility
    ) -> QuestionResult:
        if seen.organisation_hidden:
            return QuestionResult(question, hidden=True)
        pooled = [value for answers in current.values() for value in answers]
        hidden_before = seen.organisation_hidden_before or not before
        pooled_before = None if hidden_before else [value for answers in before.values() for value in answers]
        return self._result(question, pooled, pooled_before)

    def _result(self, question: PulseQuestion, answers: list[int], before: list[int] | None) -> QuestionResult:
        is_enps = question.driver == ENPS_DRIVER
        stats = question_stats(question.scale, answers, is_enps=is_enps)
        change = None
        if before:
            change = stats.average - question_stats(question.scale, before, is_enps=is_enps).average
        return QuestionResult(question, hidden=False, stats=stats, change=change)

    def drivers(self, team: int | Rollup | None, results: Sequence[QuestionResult]) -> tuple[DriverResult, ...]:
        """Each driver's score on 0–10 from its shown questions, and its change on those asked before too (a team,
        a roll-up of teams without change, or with None the organisation)."""
        by_driver: dict[str, list[QuestionResult]] = defaultdict(list)
        for result in results:
            if not result.hidden:
                by_driver[result.question.driver].append(result)
        found = (self._driver(driver, team, shown) for driver, shown in by_driver.items())
        return tuple(driver for driver in found if driver is not None)

    def _driver(self, driver: str, team: int | Rollup | None, shown: Sequence[QuestionResult]) -> DriverResult | None:
        scored: list[float] = []
        now_part: list[float] = []
        old_part: list[float] = []
        for result in shown:
            answers, old = self._answers(team, result)
            scale = result.question.scale
            scored.extend(on_ten(scale, value) for value in answers)
            if old:
                now_part.extend(on_ten(scale, value) for value in answers)
                old_part.extend(on_ten(scale, value) for value in old)
        if not scored:
            return None
        change = _mean(now_part) - _mean(old_part) if old_part and now_part else None
        return DriverResult(driver, _mean(scored), len(scored), change)

    def _answers(self, team: int | Rollup | None, result: QuestionResult) -> tuple[list[int], list[int] | None]:
        question_id = result.question.id or 0
        if isinstance(team, int):
            return self.team_values.get((team, question_id), ([], None))
        if team is not None:
            pooled = [self.team_values.get((member, question_id), ([], None))[0] for member in sorted(team)]
            return [value for answers in pooled for value in answers], None
        now_values: list[int] = []
        old_values: list[int] = []
        for (_team, q), (answers, old) in self.team_values.items():
            if q == question_id:
                now_values.extend(answers)
                old_values.extend(old or [])
        return now_values, (old_values if result.change is not None else None)
