"""Pulse results for each team and the organisation: the only way any reader gets pulse numbers.

`pulse_report` applies the anonymity rule (`handlers.pulse.stats.hidden_groups`) to the teams, to every question and
to the organisation before returning: a hidden group or question carries no number at all, so no renderer (chat,
digest, CLI, export) can show one by mistake. A round becomes readable when it closes, or earlier once everyone
invited has answered, so nobody can watch an average move and learn the answer that moved it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.policy import Policy
from handlers.pulse.questions import ENPS_DRIVER, on_ten
from handlers.pulse.stats import QuestionStats, hidden_groups, question_stats
from storage import people as people_store
from storage.models import PulseQuestion, PulseRound
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store

Values = dict[tuple[int, int], list[int]]


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
class GroupResult:
    """A team (or, with `team_id` None, the organisation); numbers are None whenever `hidden`."""

    team_id: int | None
    name: str
    hidden: bool
    period: str | None = None
    closed: bool = False
    invited: int | None = None
    answered: int | None = None
    participation_change: float | None = None
    questions: tuple[QuestionResult, ...] = ()
    drivers: tuple[DriverResult, ...] = ()

    @property
    def participation(self) -> float | None:
        if self.hidden or not self.invited or self.answered is None:
            return None
        return self.answered / self.invited


@dataclass(frozen=True)
class PulseReport:
    teams: tuple[GroupResult, ...]
    organisation: GroupResult
    threshold: int

    def team(self, team_id: int) -> GroupResult | None:
        return self._by_team.get(team_id)

    @cached_property
    def _by_team(self) -> dict[int | None, GroupResult]:
        """Teams by id, built once: the digests look up every team of a large organisation."""
        found: dict[int | None, GroupResult] = {}
        for group in self.teams:
            found.setdefault(group.team_id, group)
        return found


def readable(pulse: PulseRound, invited: int, answered: int, now: datetime) -> bool:
    return pulse.closed or pulse.closes_at <= now or (invited > 0 and answered >= invited)


async def team_results(session: AsyncSession, *, team_id: int, policy: Policy, now: datetime) -> GroupResult | None:
    """One team's latest readable results (None when it was never asked), suppressed like every other reader's."""
    return (await pulse_report(session, policy=policy, now=now)).team(team_id)


async def pulse_report(session: AsyncSession, *, policy: Policy, now: datetime) -> PulseReport:
    """Every team's latest readable pulse and the organisation's, with the anonymity rule applied."""
    threshold = policy.anonymity_threshold
    teams = {team.id or 0: team for team in await people_store.all_teams(session)}
    rounds = await pulse_store.all_rounds(session)
    counts = await pulse_store.participation_counts(session, round_ids=[r.id or 0 for r in rounds])
    history: dict[int, list[PulseRound]] = defaultdict(list)
    asked: set[int] = set()
    for pulse in rounds:
        asked.add(pulse.team_id)
        if readable(pulse, *counts.get(pulse.id or 0, (0, 0)), now):
            history[pulse.team_id].append(pulse)
    ids = [pulse.id or 0 for pulses in history.values() for pulse in pulses]
    round_questions = await pulse_store.round_question_ids(session, round_ids=ids)
    values: Values = defaultdict(list)
    for round_id, question_id, value in await pulse_answers.answer_values(
        session, round_ids=rounds_compared(history, round_questions)
    ):
        values[(round_id, question_id)].append(value)
    question_ids = sorted({q for qs in round_questions.values() for q in qs})
    questions = await pulse_store.questions_by_ids(session, ids=question_ids)
    current = {team: pulses[-1] for team, pulses in history.items()}
    team_counts = {team: counts[current[team].id or 0][1] if team in current else 0 for team in asked}
    hidden_teams, org_hidden = hidden_groups(team_counts, threshold=threshold)
    previous_counts = {team: counts[p[-2].id or 0][1] for team, p in history.items() if len(p) > 1}
    previous_hidden, _ = hidden_groups(previous_counts, threshold=threshold)
    builder = _Builder(threshold, history, round_questions, values, questions, hidden_teams)
    per_team = builder.questions_by_team(org_hidden)
    comments = await _comments(session, [current[team].id or 0 for team in current if team not in hidden_teams])
    groups = []
    for team_id in sorted(asked, key=lambda key: teams[key].name.lower() if key in teams else ""):
        name = teams[team_id].name if team_id in teams else str(team_id)
        if team_id in hidden_teams or team_id not in current:
            groups.append(GroupResult(team_id=team_id, name=name, hidden=True))
            continue
        pulse = current[team_id]
        invited, answered = counts[pulse.id or 0]
        change = None
        if team_id in previous_counts and team_id not in previous_hidden:
            before_invited, before_answered = counts[history[team_id][-2].id or 0]
            change = answered / invited - before_answered / before_invited if invited and before_invited else None
        results = tuple(
            _with_comments(result, comments.get((pulse.id or 0, result.question.id or 0), ()))
            for result in per_team[team_id]
        )
        groups.append(
            GroupResult(
                team_id=team_id,
                name=name,
                hidden=False,
                period=pulse.period,
                closed=pulse.closed or pulse.closes_at <= now,
                invited=invited,
                answered=answered,
                participation_change=change,
                questions=results,
                drivers=builder.drivers(team_id, results),
            )
        )
    return PulseReport(
        teams=tuple(groups), organisation=builder.organisation(org_hidden, counts, current), threshold=threshold
    )


def rounds_compared(history: dict[int, list[PulseRound]], round_questions: dict[int, list[int]]) -> list[int]:
    """The rounds whose answers a report reads: each team's latest readable round and, for each of its questions,
    the last earlier round that asked it (the change). Older answers are never read, however long the history."""
    ids: set[int] = set()
    for pulses in history.values():
        current = pulses[-1].id or 0
        ids.add(current)
        for question_id in round_questions.get(current, []):
            earlier = [p.id or 0 for p in pulses[:-1] if question_id in round_questions.get(p.id or 0, [])]
            if earlier:
                ids.add(earlier[-1])
    return sorted(ids)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _with_comments(result: QuestionResult, comments: Sequence[CommentView]) -> QuestionResult:
    if result.hidden or not comments:
        return result
    return QuestionResult(result.question, False, result.stats, result.change, tuple(comments))


async def _comments(session: AsyncSession, round_ids: list[int]) -> dict[tuple[int, int], list[CommentView]]:
    rows = await pulse_answers.comments_for_rounds(session, round_ids=round_ids)
    replies = await pulse_answers.followup_counts(session, comment_ids=[row.id for row in rows])
    found: dict[tuple[int, int], list[CommentView]] = defaultdict(list)
    for row in rows:
        view = CommentView(row.id, row.text, replies.get(row.id, 0), row.sealed_reply_to is not None)
        found[(row.round_id, row.question_id)].append(view)
    return found


class _Builder:
    """Per-question results for the teams and the organisation, current and previous, suppressed."""

    def __init__(
        self,
        threshold: int,
        history: dict[int, list[PulseRound]],
        round_questions: dict[int, list[int]],
        values: Values,
        questions: dict[int, PulseQuestion],
        hidden_teams: set[int],
    ) -> None:
        self.threshold = threshold
        self.history = history
        self.round_questions = round_questions
        self.values = values
        self.questions = questions
        self.hidden_teams = hidden_teams
        self.org_results: list[QuestionResult] = []
        self.team_values: dict[tuple[int, int], tuple[list[int], list[int] | None]] = {}

    def _snapshot(self, team: int, question_id: int) -> tuple[list[int] | None, list[int] | None]:
        """(current answers, answers the last time before that this team was asked the question)."""
        pulses = self.history[team]
        if question_id not in self.round_questions.get(pulses[-1].id or 0, []):
            return None, None
        before = [p for p in pulses[:-1] if question_id in self.round_questions.get(p.id or 0, [])]
        now_values = self.values.get((pulses[-1].id or 0, question_id), [])
        return now_values, (self.values.get((before[-1].id or 0, question_id), []) if before else None)

    def questions_by_team(self, org_hidden: bool) -> dict[int, list[QuestionResult]]:
        per_team: dict[int, list[QuestionResult]] = defaultdict(list)
        ordered = sorted(
            {q for team, p in self.history.items() for q in self.round_questions.get(p[-1].id or 0, [])},
            key=lambda q: (self.questions[q].driver == ENPS_DRIVER, q),
        )
        for question_id in ordered:
            question = self.questions[question_id]
            snapshots = {team: self._snapshot(team, question_id) for team in self.history}
            current = {team: now for team, (now, _) in snapshots.items() if now is not None}
            before = {team: old for team, (_, old) in snapshots.items() if old is not None}
            hidden, parent_hidden = hidden_groups(
                {team: len(v) for team, v in current.items()}, threshold=self.threshold, forced=self.hidden_teams
            )
            hidden_before, parent_hidden_before = hidden_groups(
                {team: len(v) for team, v in before.items()}, threshold=self.threshold
            )
            for team, answers in current.items():
                self.team_values[(team, question_id)] = (
                    answers,
                    before.get(team) if team not in hidden_before else None,
                )
                if team in hidden:
                    per_team[team].append(QuestionResult(question, hidden=True))
                else:
                    old = before.get(team) if team not in hidden_before else None
                    per_team[team].append(self._result(question, answers, old))
            if org_hidden or parent_hidden:
                self.org_results.append(QuestionResult(question, hidden=True))
                continue
            pooled = [value for answers in current.values() for value in answers]
            pooled_before = None if parent_hidden_before or not before else [v for a in before.values() for v in a]
            self.org_results.append(self._result(question, pooled, pooled_before))
        return per_team

    def _result(self, question: PulseQuestion, answers: list[int], before: list[int] | None) -> QuestionResult:
        is_enps = question.driver == ENPS_DRIVER
        stats = question_stats(question.scale, answers, is_enps=is_enps)
        change = None
        if before:
            change = stats.average - question_stats(question.scale, before, is_enps=is_enps).average
        return QuestionResult(question, hidden=False, stats=stats, change=change)

    def drivers(self, team: int | None, results: Sequence[QuestionResult]) -> tuple[DriverResult, ...]:
        """Each driver's score on 0–10 from its shown questions, and its change on those asked before too."""
        by_driver: dict[str, list[QuestionResult]] = defaultdict(list)
        for result in results:
            if not result.hidden:
                by_driver[result.question.driver].append(result)
        drivers = []
        for driver, shown in by_driver.items():
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
                continue
            change = _mean(now_part) - _mean(old_part) if old_part and now_part else None
            drivers.append(DriverResult(driver, _mean(scored), len(scored), change))
        return tuple(drivers)

    def _answers(self, team: int | None, result: QuestionResult) -> tuple[list[int], list[int] | None]:
        question_id = result.question.id or 0
        if team is not None:
            return self.team_values.get((team, question_id), ([], None))
        now_values: list[int] = []
        old_values: list[int] = []
        for (_team, q), (answers, old) in self.team_values.items():
            if q == question_id:
                now_values.extend(answers)
                old_values.extend(old or [])
        return now_values, (old_values if result.change is not None else None)

    def organisation(
        self, hidden: bool, counts: dict[int, tuple[int, int]], current: dict[int, PulseRound]
    ) -> GroupResult:
        if hidden:
            return GroupResult(team_id=None, name="", hidden=True)
        invited = sum(counts[pulse.id or 0][0] for pulse in current.values())
        answered = sum(counts[pulse.id or 0][1] for pulse in current.values())
        results = tuple(self.org_results)
        return GroupResult(
            team_id=None,
            name="",
            hidden=False,
            invited=invited,
            answered=answered,
            questions=results,
            drivers=self.drivers(None, results),
        )
