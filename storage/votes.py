"""Votes, the same for reward goals and team actions: one vote per person and round, voting again moves it.

A vote table has `round_id` (what is being decided), `option_id` (what the vote is for), `person_id` and
`created_at`, with `(round_id, person_id)` unique: `reward_vote` and `action_vote` both do, and both go through
these functions, so the rule is written once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ActionVote, RewardVote
from storage.upsert import insert_ignore

VoteRow = TypeVar("VoteRow", RewardVote, ActionVote)


async def cast_vote(
    session: AsyncSession, table: type[VoteRow], *, round_id: int, option_id: int, person_id: int, now: datetime
) -> bool:
    """Record a person's vote in a round, moving an earlier one; True when it is their first vote there."""
    values = {"round_id": round_id, "option_id": option_id, "person_id": person_id, "created_at": now}
    if await insert_ignore(session, table, values):
        return True
    statement = select(table).where(col(table.round_id) == round_id, col(table.person_id) == person_id)
    vote = (await session.exec(statement)).one()
    vote.option_id = option_id
    vote.created_at = now
    session.add(vote)
    await session.flush()
    return False


async def vote_counts(
    session: AsyncSession, table: type[VoteRow], *, round_ids: Sequence[int]
) -> dict[int, dict[int, int]]:
    """Votes per option in each round."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    if not round_ids:
        return {}
    statement = (
        select(table.round_id, table.option_id, func.count())
        .where(col(table.round_id).in_(sorted(set(round_ids))))
        .group_by(col(table.round_id), col(table.option_id))
    )
    for round_id, option_id, count in (await session.exec(statement)).all():
        counts[int(round_id)][int(option_id)] = int(count)
    return dict(counts)


async def vote_of(session: AsyncSession, table: type[VoteRow], *, round_id: int, person_id: int) -> int | None:
    """The option a person voted for in a round, if any."""
    statement = select(table.option_id).where(col(table.round_id) == round_id, col(table.person_id) == person_id)
    return (await session.exec(statement)).first()


def backed_by_majority(votes: int, members: int) -> bool:
    """More than half of the group: an option that wins at once, whatever the others get later."""
    return votes * 2 > members
