"""Retention: the queries that remove old free text (kudos reasons, pulse comments, delivered copies of them).

Only words go; every number stays. Points, values, who recognised whom, pulse answers and participation are never
touched, so leaderboards, reward pots and pulse results read the same before and after.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Kudos, OutboxMessage, PulseComment, PulseFollowup, PulseRound
from storage.models.delivery import UNDELIVERED


async def blank_kudos_reasons(session: AsyncSession, *, before: datetime, marker: str) -> int:
    """Replace the reason of every kudos given before `before` by `marker`; returns how many changed."""
    result = await session.exec(
        update(Kudos)
        .where(col(Kudos.created_at) < before, col(Kudos.message) != "", col(Kudos.message) != marker)
        .values(message=marker)
    )
    return int(result.rowcount or 0)


async def delete_comments(session: AsyncSession, *, closed_before: datetime) -> tuple[int, int]:
    """Delete the comments (and their anonymous replies) of pulses closed before `closed_before`."""
    rounds = select(PulseRound.id).where(col(PulseRound.closed), col(PulseRound.closes_at) < closed_before)
    comments = select(PulseComment.id).where(col(PulseComment.round_id).in_(rounds))
    replies = await session.exec(delete(PulseFollowup).where(col(PulseFollowup.comment_id).in_(comments)))
    removed = await session.exec(delete(PulseComment).where(col(PulseComment.round_id).in_(rounds)))
    return int(removed.rowcount or 0), int(replies.rowcount or 0)


async def empty_delivered_payloads(session: AsyncSession, *, before: datetime, payload: str) -> int:
    """Overwrite the content of messages delivered (or given up on) before `before`: Bravo no longer needs it."""
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status).not_in(UNDELIVERED),
            col(OutboxMessage.created_at) < before,
            col(OutboxMessage.payload) != payload,
        )
        .values(payload=payload)
    )
    return int(result.rowcount or 0)
