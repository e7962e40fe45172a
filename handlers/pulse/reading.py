"""Reading a pulse report's rounds: each team's readable rounds, their answers, comments and the management tree.

Only closed rounds are read (`readable`), and of their answers only those a report compares: each team's latest
round and, per question, the last earlier round that asked it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.pulse.continuity import recent_rounds
from handlers.pulse.figures import Asked, CommentView, Values
from handlers.pulse.rollup import Hierarchy
from storage import people as people_store
from storage.models import PulseRound
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store


def readable(pulse: PulseRound, now: datetime) -> bool:
    """Only a closed round shows figures: before that, each answer (or change of answer) would move them."""
    return pulse.closed or pulse.closes_at <= now


async def hierarchy(session: AsyncSession) -> Hierarchy:
    """The directory's management tree, which small teams climb to be rolled up."""
    teams = await people_store.all_teams(session)
    return Hierarchy(
        team_manager={team.id or 0: team.manager_id for team in teams},
        manager_of=await people_store.manager_links(session),
    )


@dataclass(frozen=True)
class Rounds:
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


async def readable_rounds(session: AsyncSession, now: datetime) -> Rounds:
    rounds = await pulse_store.all_rounds(session)
    invited = await pulse_store.participation_counts(session, round_ids=None)  # every round's, as all are read
    counts = {pulse.id or 0: invited.get(pulse.id or 0, (0, 0)) for pulse in rounds}
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
    return Rounds(asked=set(latest), history=shown, counts=counts, open=still_open, peers=peers)


async def asked(session: AsyncSession, rounds: Rounds, tree: Hierarchy) -> Asked:
    """The questions of the readable rounds, and the answers of only the rounds a report compares or draws trends
    from (`handlers.pulse.continuity`), with their peers: whether a round was shown then depends on them."""
    history = rounds.history
    periods = {id(peers): peers for peers in rounds.peers.values()}  # one list per period, shared by its rounds
    ids = sorted({peer.id or 0 for peers in periods.values() for peer in peers})
    every = await pulse_store.round_question_ids(session, round_ids=None)  # nearly every round's: one statement
    round_questions = {round_id: every.get(round_id, []) for round_id in ids}
    compared = sorted(set(rounds_compared(history, round_questions)) | set(recent_rounds(history)))
    read = {id(peers): peers for r in compared if (peers := rounds.peers.get(r)) is not None}
    wanted = set(compared) | {p.id or 0 for peers in read.values() for p in peers}
    values: Values = defaultdict(list)
    for round_id, question_id, value, count in await pulse_answers.answer_values(session, round_ids=sorted(wanted)):
        values[(round_id, question_id)].extend([value] * count)
    question_ids = sorted({q for qs in round_questions.values() for q in qs})
    questions = await pulse_store.questions_by_ids(session, ids=question_ids)
    answered = {round_id: count[1] for round_id, count in rounds.counts.items()}
    return Asked(history, round_questions, values, questions, peers=rounds.peers, answered=answered, hierarchy=tree)


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


async def comments(session: AsyncSession, round_ids: list[int]) -> dict[tuple[int, int], list[CommentView]]:
    rows = await pulse_answers.comments_for_rounds(session, round_ids=round_ids)
    replies = await pulse_answers.followup_counts(session, comment_ids=[row.id for row in rows])
    found: dict[tuple[int, int], list[CommentView]] = defaultdict(list)
    for row in rows:
        view = CommentView(row.id, row.text, replies.get(row.id, 0), row.sealed_reply_to is not None)
        found[(row.round_id, row.question_id)].append(view)
    return found
