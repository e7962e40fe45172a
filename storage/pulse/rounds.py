"""Queries on pulse checks: the bank, plans, rounds, who was invited and how many answered.

The anonymous answers and comments are in `storage.pulse.answers`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import SQLModel, col, delete, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    PulseParticipation,
    PulsePlan,
    PulseQuestion,
    PulseRespondent,
    PulseRound,
    PulseRoundQuestion,
)
from storage.models.pulse import PULSE, random_id
from storage.upsert import insert_ignore

# Ids per `IN (…)` list: well under the 32,767 parameters asyncpg and SQLite accept in one statement.
CHUNK = 5_000


def chunks(ids: Sequence[int]) -> list[list[int]]:
    """Distinct ids in statement-sized lists, so a report over every round of a large organisation still runs."""
    unique = sorted(set(ids))
    return [unique[start : start + CHUNK] for start in range(0, len(unique), CHUNK)]


# -- question bank ------------------------------------------------------------------------------------------


async def all_questions(session: AsyncSession, *, active_only: bool = False) -> list[PulseQuestion]:
    statement = select(PulseQuestion).order_by(col(PulseQuestion.id))
    if active_only:
        statement = statement.where(col(PulseQuestion.active))
    return list((await session.exec(statement)).all())


async def question_by_key(session: AsyncSession, *, key: str) -> PulseQuestion | None:
    return (await session.exec(select(PulseQuestion).where(PulseQuestion.key == key))).first()


async def questions_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, PulseQuestion]:
    if not ids:
        return {}
    rows = await session.exec(select(PulseQuestion).where(col(PulseQuestion.id).in_(ids)))
    return {row.id or 0: row for row in rows.all()}


async def save_question(session: AsyncSession, question: PulseQuestion) -> PulseQuestion:
    session.add(question)
    await session.flush()
    return question


async def count_questions(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(PulseQuestion))).one())


# -- plans --------------------------------------------------------------------------------------------------


async def plan_rows(session: AsyncSession) -> dict[int | None, PulsePlan]:
    """Stored plans by team id; the key None holds the row that applies to every team."""
    return {row.team_id: row for row in (await session.exec(select(PulsePlan))).all()}


async def plan_row(session: AsyncSession, *, team_id: int | None) -> PulsePlan:
    """The stored plan of a team (or of all teams), created empty when missing."""
    condition = col(PulsePlan.team_id).is_(None) if team_id is None else PulsePlan.team_id == team_id
    row = (await session.exec(select(PulsePlan).where(condition))).first()
    if row is None:
        row = PulsePlan(team_id=team_id)
        session.add(row)
        await session.flush()
    return row


# -- rounds -------------------------------------------------------------------------------------------------


async def create_round(
    session: AsyncSession,
    *,
    team_id: int,
    period: str,
    opened_at: datetime,
    closes_at: datetime,
    remind_at: datetime,
    key_check: str | None = None,
    kind: str = PULSE,
    subject: str | None = None,
) -> PulseRound | None:
    """A new round, or None when the team already has one for this period (another replica won)."""
    values = {
        "kind": kind,
        "subject": subject,
        "team_id": team_id,
        "period": period,
        "opened_at": opened_at,
        "closes_at": closes_at,
        "remind_at": remind_at,
        "reminded": False,
        "closed": False,
        "key_check": key_check,
    }
    if not await insert_ignore(session, PulseRound, values):
        return None
    statement = select(PulseRound).where(PulseRound.team_id == team_id, PulseRound.period == period)
    return (await session.exec(statement)).one()


async def get_round(session: AsyncSession, *, round_id: int) -> PulseRound | None:
    return await session.get(PulseRound, round_id)


async def rounds_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, PulseRound]:
    found: dict[int, PulseRound] = {}
    for chunk in chunks(ids):
        rows = await session.exec(select(PulseRound).where(col(PulseRound.id).in_(chunk)))
        found.update((row.id or 0, row) for row in rows.all())
    return found


async def add_round_questions(session: AsyncSession, *, round_id: int, question_ids: Sequence[int]) -> None:
    for position, question_id in enumerate(question_ids):
        session.add(PulseRoundQuestion(round_id=round_id, question_id=question_id, position=position))
    await session.flush()


async def round_question_ids(session: AsyncSession, *, round_ids: Sequence[int] | None) -> dict[int, list[int]]:
    """Each round's question ids, in the order asked; `None`: every round's, in one statement rather than lists of
    every id (a report reads them all; binding tens of thousands of ids cost more than the query)."""
    found: dict[int, list[int]] = defaultdict(list) if round_ids is None else {round_id: [] for round_id in round_ids}
    statement = select(PulseRoundQuestion.round_id, PulseRoundQuestion.question_id).order_by(
        col(PulseRoundQuestion.round_id), col(PulseRoundQuestion.position)
    )
    for chunk in [None] if round_ids is None else chunks(round_ids):
        wanted = statement if chunk is None else statement.where(col(PulseRoundQuestion.round_id).in_(chunk))
        for round_id, question_id in (await session.exec(wanted)).all():
            found[round_id].append(question_id)
    return dict(found)


async def team_rounds(session: AsyncSession, *, team_id: int, limit: int = 52) -> list[PulseRound]:
    """A team's latest pulse rounds, oldest first (check-ins are not pulses)."""
    statement = (
        select(PulseRound)
        .where(PulseRound.team_id == team_id, PulseRound.kind == PULSE)
        .order_by(col(PulseRound.opened_at).desc(), col(PulseRound.id).desc())
        .limit(limit)
    )
    return list(reversed((await session.exec(statement)).all()))


async def all_rounds(
    session: AsyncSession, *, team_ids: Sequence[int] | None = None, kind: str = PULSE
) -> list[PulseRound]:
    """Every round of one kind: pulses by default, which are what a pulse report reads (never a check-in)."""
    statement = (
        select(PulseRound).where(PulseRound.kind == kind).order_by(col(PulseRound.opened_at), col(PulseRound.id))
    )
    if team_ids is not None:
        statement = statement.where(col(PulseRound.team_id).in_(team_ids))
    return list((await session.exec(statement)).all())


async def open_rounds(
    session: AsyncSession, *, team_id: int | None = None, kind: str | None = None
) -> list[PulseRound]:
    """Rounds not closed yet, of every kind unless `kind` is given."""
    statement = select(PulseRound).where(col(PulseRound.closed).is_(False)).order_by(col(PulseRound.id))
    if team_id is not None:
        statement = statement.where(PulseRound.team_id == team_id)
    if kind is not None:
        statement = statement.where(PulseRound.kind == kind)
    return list((await session.exec(statement)).all())


async def rounds_to_remind(session: AsyncSession, *, now: datetime) -> list[PulseRound]:
    statement = select(PulseRound).where(
        col(PulseRound.closed).is_(False),
        col(PulseRound.reminded).is_(False),
        col(PulseRound.remind_at) <= now,
        col(PulseRound.closes_at) > now,
    )
    return list((await session.exec(statement.order_by(col(PulseRound.id)))).all())


async def claim_reminder(session: AsyncSession, *, round_id: int) -> bool:
    """True once per round: the flag flips in the same transaction as the reminders it guards."""
    result = await session.exec(
        update(PulseRound)
        .where(col(PulseRound.id) == round_id, col(PulseRound.reminded).is_(False))
        .values(reminded=True)
    )
    return bool(result.rowcount)


async def rounds_to_close(session: AsyncSession, *, now: datetime) -> list[PulseRound]:
    statement = select(PulseRound).where(col(PulseRound.closed).is_(False), col(PulseRound.closes_at) <= now)
    return list((await session.exec(statement.order_by(col(PulseRound.id)))).all())


async def claim_close(session: AsyncSession, *, round_id: int, now: datetime | None = None) -> bool:
    """Mark a round closed once; `now` also moves its closing time (closing early by hand)."""
    values: dict[str, object] = {"closed": True}
    if now is not None:
        values["closes_at"] = now
    result = await session.exec(
        update(PulseRound).where(col(PulseRound.id) == round_id, col(PulseRound.closed).is_(False)).values(**values)
    )
    return bool(result.rowcount)


# -- participation ------------------------------------------------------------------------------------------


async def invite(session: AsyncSession, *, round_id: int, person_ids: Sequence[int]) -> None:
    """Who is asked, written once when the round is sent (in a random order); an answer never touches these rows."""
    shuffled = list(person_ids)
    random.SystemRandom().shuffle(shuffled)
    session.add_all(PulseParticipation(round_id=round_id, person_id=person_id) for person_id in shuffled)
    await session.flush()


async def invited(session: AsyncSession, *, round_id: int) -> list[int]:
    statement = select(PulseParticipation.person_id).where(PulseParticipation.round_id == round_id)
    return sorted((await session.exec(statement)).all())


async def invited_open_rounds(session: AsyncSession, *, person_id: int) -> list[PulseRound]:
    """The open rounds a person was asked to answer, oldest first."""
    statement = (
        select(PulseRound)
        .join(PulseParticipation, col(PulseParticipation.round_id) == col(PulseRound.id))
        .where(PulseParticipation.person_id == person_id, col(PulseRound.closed).is_(False))
        .order_by(col(PulseRound.id))
    )
    return list((await session.exec(statement)).all())


async def add_respondent(session: AsyncSession, *, round_id: int, key: str) -> None:
    """Count someone as having answered, once: a second (or concurrent) first answer finds the key present."""
    await insert_ignore(session, PulseRespondent, {"key": key, "round_id": round_id})


async def respondent_keys(session: AsyncSession, *, round_id: int) -> set[str]:
    statement = select(PulseRespondent.key).where(PulseRespondent.round_id == round_id)
    return set((await session.exec(statement)).all())


async def forget_respondent_keys(session: AsyncSession, *, round_id: int) -> None:
    """On close: the same number of respondents, each under a random key no secret leads back to."""
    count = len(await respondent_keys(session, round_id=round_id))
    await session.exec(delete(PulseRespondent).where(col(PulseRespondent.round_id) == round_id))
    session.add_all(PulseRespondent(key=random_id(), round_id=round_id) for _ in range(count))
    await session.flush()


async def _counts(session: AsyncSession, model: type[SQLModel], round_ids: Sequence[int] | None) -> dict[int, int]:
    round_id = col(model.round_id)  # type: ignore[attr-defined]
    statement = select(round_id, func.count()).group_by(round_id)
    found: dict[int, int] = {}
    for chunk in [None] if round_ids is None else chunks(round_ids):
        wanted = statement if chunk is None else statement.where(round_id.in_(chunk))
        found.update({int(r): int(count) for r, count in (await session.exec(wanted)).all()})
    return found


async def participation_counts(session: AsyncSession, *, round_ids: Sequence[int] | None) -> dict[int, tuple[int, int]]:
    """(invited, answered) per round; answered never exceeds invited (someone forgotten leaves their answer).
    `None`: every round that invited someone, one statement per table (a report reads them all)."""
    asked = await _counts(session, PulseParticipation, round_ids)
    answered = await _counts(session, PulseRespondent, round_ids)
    round_ids = list(asked) if round_ids is None else round_ids
    return {r: (asked.get(r, 0), min(asked.get(r, 0), answered.get(r, 0))) for r in round_ids}
