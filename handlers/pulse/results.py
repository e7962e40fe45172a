"""Pulse results for each team and the organisation: the only way any reader gets pulse numbers.

`pulse_report` reads each team's latest readable round (and the earlier rounds its changes compare with), lets
`handlers.pulse.suppression` decide what the anonymity threshold hides, then computes the figures
(`handlers.pulse.figures`) of what is left: a hidden group or question carries no number at all, so no renderer (chat,
digest, CLI, export) can show one by mistake. A round becomes readable only when it closes: while a team's latest
round is open, its group carries only how many have answered and when it closes, so nobody can watch an average
move and learn the answer that moved it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.policy import Policy
from handlers.pulse.figures import Asked, CommentView, DriverResult, Figures, QuestionResult, Values
from handlers.pulse.suppression import TeamVisibility, team_visibility
from storage import people as people_store
from storage.models import PulseRound
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store


@dataclass(frozen=True)
class GroupResult:
    """A team (or, with `team_id` None, the organisation); numbers are None whenever `hidden`."""

    team_id: int | None
    name: str
    hidden: bool
    period: str | None = None
    closed: bool = False
    closes_at: datetime | None = None
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


def readable(pulse: PulseRound, now: datetime) -> bool:
    """Only a closed round shows figures: before that, each answer (or change of answer) would move them."""
    return pulse.closed or pulse.closes_at <= now


async def team_results(session: AsyncSession, *, team_id: int, policy: Policy, now: datetime) -> GroupResult | None:
    """One team's latest readable results (None when it was never asked), suppressed like every other reader's."""
    return (await pulse_report(session, policy=policy, now=now)).team(team_id)


async def pulse_report(session: AsyncSession, *, policy: Policy, now: datetime) -> PulseReport:
    """Every team's latest readable pulse and the organisation's, with the anonymity rule applied."""
    threshold = policy.anonymity_threshold
    names = {team.id or 0: team.name for team in await people_store.all_teams(session)}
    rounds = await _readable_rounds(session, now)
    visibility = team_visibility(rounds.answered(), rounds.answered_before(), threshold=threshold)
    figures = Figures(await _asked(session, rounds), threshold=threshold, teams=visibility)
    per_team = figures.questions_by_team()
    shown = [pulse.id or 0 for team, pulse in rounds.current.items() if team not in visibility.hidden]
    report = _Assembly(rounds, visibility, figures, per_team, await _comments(session, shown), now)
    ordered = sorted(rounds.asked, key=lambda team: names[team].lower() if team in names else "")
    groups = tuple(report.team(team_id, names.get(team_id, str(team_id))) for team_id in ordered)
    return PulseReport(teams=groups, organisation=report.organisation(), threshold=threshold)


@dataclass(frozen=True)
class _Rounds:
    """Every team ever asked, each team's readable rounds (oldest first), each round's (invited, answered), and the
    open latest round of the teams that have one (those teams have no history: nothing of theirs is computed)."""

    asked: set[int]
    history: dict[int, list[PulseRound]]
    counts: dict[int, tuple[int, int]]
    open: dict[int, PulseRound]
    peers: dict[int, list[PulseRound]]

    @cached_property
    def current(self) -> dict[int, PulseRound]:
        return {team: pulses[-1] for team, pulses in self.history.items()}

    def answered(self) -> dict[int, int]:
        """Respondents of each asked team's latest readable round (0 for a team without one)."""
        current = self.current
        return {team: self.counts[current[team].id or 0][1] if team in current else 0 for team in self.asked}

    def answered_before(self) -> dict[int, int]:
        """Respondents of the round before the latest, for the teams that have one."""
        return {team: self.counts[p[-2].id or 0][1] for team, p in self.history.items() if len(p) > 1}


async def _readable_rounds(session: AsyncSession, now: datetime) -> _Rounds:
    rounds = await pulse_store.all_rounds(session)
    counts = await pulse_store.participation_counts(session, round_ids=[r.id or 0 for r in rounds])
    history: dict[int, list[PulseRound]] = defaultdict(list)
    latest: dict[int, PulseRound] = {}
    by_period: dict[str, list[PulseRound]] = defaultdict(list)
    for pulse in rounds:
        latest[pulse.team_id] = pulse
        if readable(pulse, now):
            history[pulse.team_id].append(pulse)
            by_period[pulse.period].append(pulse)
    still_open = {team: pulse for team, pulse in latest.items() if not readable(pulse, now)}
    shown = {team: pulses for team, pulses in history.items() if team not in still_open}
    peers = {pulse.id or 0: by_period[pulse.period] for pulses in history.values() for pulse in pulses}
    return _Rounds(asked=set(latest), history=shown, counts=counts, open=still_open, peers=peers)


async def _asked(session: AsyncSession, rounds: _Rounds) -> Asked:
    """The questions of the readable rounds, and the answers of only the rounds a report compares (with, for an
    earlier round, its peers: whether it was shown then depends on them)."""
    history = rounds.history
    ids = sorted({peer.id or 0 for peers in rounds.peers.values() for peer in peers})
    round_questions = await pulse_store.round_question_ids(session, round_ids=ids)
    compared = rounds_compared(history, round_questions)
    current = {pulses[-1].id or 0 for pulses in history.values()}
    wanted = set(compared) | {p.id or 0 for r in compared if r not in current for p in rounds.peers.get(r, [])}
    values: Values = defaultdict(list)
    for round_id, question_id, value in await pulse_answers.answer_values(session, round_ids=sorted(wanted)):
        values[(round_id, question_id)].append(value)
    question_ids = sorted({q for qs in round_questions.values() for q in qs})
    questions = await pulse_store.questions_by_ids(session, ids=question_ids)
    answered = {round_id: count[1] for round_id, count in rounds.counts.items()}
    return Asked(history, round_questions, values, questions, peers=rounds.peers, answered=answered)


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


async def _comments(session: AsyncSession, round_ids: list[int]) -> dict[tuple[int, int], list[CommentView]]:
    rows = await pulse_answers.comments_for_rounds(session, round_ids=round_ids)
    replies = await pulse_answers.followup_counts(session, comment_ids=[row.id for row in rows])
    found: dict[tuple[int, int], list[CommentView]] = defaultdict(list)
    for row in rows:
        view = CommentView(row.id, row.text, replies.get(row.id, 0), row.sealed_reply_to is not None)
        found[(row.round_id, row.question_id)].append(view)
    return found


def _with_comments(result: QuestionResult, comments: Sequence[CommentView]) -> QuestionResult:
    if result.hidden or not comments:
        return result
    return QuestionResult(result.question, False, result.stats, result.change, tuple(comments))


@dataclass(frozen=True)
class _Assembly:
    """The groups of a report, from its rounds, what is hidden, the figures and the comments of the shown rounds."""

    rounds: _Rounds
    visibility: TeamVisibility
    figures: Figures
    per_team: dict[int, list[QuestionResult]]
    comments: dict[tuple[int, int], list[CommentView]]
    now: datetime

    def team(self, team_id: int, name: str) -> GroupResult:
        if team_id in self.rounds.open:
            return self._open_team(team_id, name)
        pulse = self.rounds.current.get(team_id)
        if pulse is None or team_id in self.visibility.hidden:
            return GroupResult(team_id=team_id, name=name, hidden=True)
        invited, answered = self.rounds.counts[pulse.id or 0]
        results = tuple(
            _with_comments(result, self.comments.get((pulse.id or 0, result.question.id or 0), ()))
            for result in self.per_team.get(team_id, [])
        )
        return GroupResult(
            team_id=team_id,
            name=name,
            hidden=False,
            period=pulse.period,
            closed=True,
            closes_at=pulse.closes_at,
            invited=invited,
            answered=answered,
            participation_change=self._participation_change(team_id, invited, answered),
            questions=results,
            drivers=self.figures.drivers(team_id, results),
        )

    def _open_team(self, team_id: int, name: str) -> GroupResult:
        """A team whose round is still open: how many have answered so far and when it closes, nothing else."""
        pulse = self.rounds.open[team_id]
        invited, answered = self.rounds.counts.get(pulse.id or 0, (0, 0))
        return GroupResult(
            team_id=team_id,
            name=name,
            hidden=False,
            period=pulse.period,
            closed=False,
            closes_at=pulse.closes_at,
            invited=invited,
            answered=answered,
        )

    def _participation_change(self, team_id: int, invited: int, answered: int) -> float | None:
        if team_id not in self.visibility.comparable:
            return None
        previous = self.rounds.history[team_id][-2]
        if not self.figures.asked.visible_then(previous, None, threshold=self.figures.threshold)[0]:
            return None
        before_invited, before_answered = self.rounds.counts[self.rounds.history[team_id][-2].id or 0]
        return answered / invited - before_answered / before_invited if invited and before_invited else None

    def organisation(self) -> GroupResult:
        if self.rounds.open and not self.rounds.history:
            return self._open_organisation()
        if self.visibility.organisation_hidden:
            return GroupResult(team_id=None, name="", hidden=True)
        current = self.rounds.current.values()
        results = tuple(self.figures.organisation_results)
        return GroupResult(
            team_id=None,
            name="",
            hidden=False,
            invited=sum(self.rounds.counts[pulse.id or 0][0] for pulse in current),
            answered=sum(self.rounds.counts[pulse.id or 0][1] for pulse in current),
            questions=results,
            drivers=self.figures.drivers(None, results),
            closed=True,
        )

    def _open_organisation(self) -> GroupResult:
        """Every asked team's round is open: the organisation shows only how many have answered so far."""
        counts = [self.rounds.counts.get(pulse.id or 0, (0, 0)) for pulse in self.rounds.open.values()]
        return GroupResult(
            team_id=None,
            name="",
            hidden=False,
            closed=False,
            closes_at=max(pulse.closes_at for pulse in self.rounds.open.values()),
            invited=sum(invited for invited, _ in counts),
            answered=sum(answered for _, answered in counts),
        )
