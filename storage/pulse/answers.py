"""Queries on anonymous answers, comments and follow-ups, and on the pulse messages waiting in the outbox.

Nothing here takes or returns a person for an answer or a comment: the only way in is a key made with the secret.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlmodel import col, delete, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage, PulseAnswer, PulseComment, PulseFollowup
from storage.models.delivery import UNDELIVERED
from storage.models.pulse import random_id
from storage.pulse.rounds import chunks
from storage.upsert import insert_ignore

# -- answers ------------------------------------------------------------------------------------------------


async def answer_by_hash(session: AsyncSession, *, ballot_hash: str) -> PulseAnswer | None:
    return (await session.exec(select(PulseAnswer).where(PulseAnswer.ballot_hash == ballot_hash))).first()


async def add_answer(session: AsyncSession, *, round_id: int, question_id: int, ballot_hash: str, value: int) -> bool:
    """Store a first answer (version 1); False when a concurrent tap with the same key stored it first."""
    values = {"id": random_id(), "round_id": round_id, "question_id": question_id, "ballot_hash": ballot_hash}
    return await insert_ignore(session, PulseAnswer, {**values, "value": value, "version": 1})


async def change_answer(session: AsyncSession, *, ballot_hash: str, value: int, version: int) -> bool:
    """Change an answer only if it is still at `version` (the one its card showed); False for a stale tap."""
    result = await session.exec(
        update(PulseAnswer)
        .where(col(PulseAnswer.ballot_hash) == ballot_hash, col(PulseAnswer.version) == version)
        .values(value=value, version=PulseAnswer.version + 1)
    )
    return bool(result.rowcount)


async def answer_values(session: AsyncSession, *, round_ids: Sequence[int]) -> list[tuple[int, int, int, int]]:
    """(round id, question id, value, how many gave it) for these rounds: counted by the database, so a report
    reads one row per distinct answer instead of one per person."""
    found: list[tuple[int, int, int, int]] = []
    for chunk in chunks(round_ids):
        statement = (
            select(PulseAnswer.round_id, PulseAnswer.question_id, PulseAnswer.value, func.count())
            .where(col(PulseAnswer.round_id).in_(chunk))
            .group_by(col(PulseAnswer.round_id), col(PulseAnswer.question_id), col(PulseAnswer.value))
        )
        found.extend((int(r), int(q), int(v), int(n)) for r, q, v, n in (await session.exec(statement)).all())
    return found


# -- comments and follow-ups --------------------------------------------------------------------------------


async def comment_by_hash(session: AsyncSession, *, ballot_hash: str) -> PulseComment | None:
    return (await session.exec(select(PulseComment).where(PulseComment.ballot_hash == ballot_hash))).first()


async def get_comment(session: AsyncSession, *, comment_id: str) -> PulseComment | None:
    return await session.get(PulseComment, comment_id)


async def save_comment(session: AsyncSession, comment: PulseComment) -> PulseComment:
    session.add(comment)
    await session.flush()
    return comment


async def comments_for_rounds(session: AsyncSession, *, round_ids: Sequence[int]) -> list[PulseComment]:
    if not round_ids:
        return []
    statement = select(PulseComment).where(col(PulseComment.round_id).in_(round_ids)).order_by(col(PulseComment.id))
    return list((await session.exec(statement)).all())


async def followups(session: AsyncSession, *, comment_id: str) -> list[PulseFollowup]:
    statement = (
        select(PulseFollowup).where(PulseFollowup.comment_id == comment_id).order_by(col(PulseFollowup.position))
    )
    return list((await session.exec(statement)).all())


async def followup_counts(session: AsyncSession, *, comment_ids: Sequence[str]) -> dict[str, int]:
    if not comment_ids:
        return {}
    statement = (
        select(PulseFollowup.comment_id, func.count())
        .where(col(PulseFollowup.comment_id).in_(comment_ids))
        .group_by(col(PulseFollowup.comment_id))
    )
    return {str(comment_id): int(count) for comment_id, count in (await session.exec(statement)).all()}


async def add_followup(
    session: AsyncSession, *, comment_id: str, from_author: bool, text: str, manager_id: int | None = None
) -> PulseFollowup:
    position = len(await followups(session, comment_id=comment_id))
    row = PulseFollowup(
        comment_id=comment_id, position=position, from_author=from_author, manager_id=manager_id, text=text
    )
    session.add(row)
    await session.flush()
    return row


async def forget_reply_address(session: AsyncSession, *, comment_id: str) -> None:
    await session.exec(update(PulseComment).where(col(PulseComment.id) == comment_id).values(sealed_reply_to=None))


# -- closing a round ----------------------------------------------------------------------------------------


async def rewrite_round_anonymously(session: AsyncSession, *, round_id: int) -> None:
    """Re-insert a closed round's answers and comments in a random order without their ballot hashes.

    After this, neither the rows' physical order nor their transaction ids reflect the order people answered in,
    and a token copied from someone's chat history no longer finds their answer.
    """
    shuffle = random.SystemRandom().shuffle
    answers = list((await session.exec(select(PulseAnswer).where(PulseAnswer.round_id == round_id))).all())
    comments = list((await session.exec(select(PulseComment).where(PulseComment.round_id == round_id))).all())
    fresh_answers = [
        PulseAnswer(id=row.id, round_id=row.round_id, question_id=row.question_id, value=row.value) for row in answers
    ]
    fresh_comments = [
        PulseComment(
            id=row.id,
            round_id=row.round_id,
            question_id=row.question_id,
            text=row.text,
            sealed_reply_to=row.sealed_reply_to,
        )
        for row in comments
    ]
    for row in (*answers, *comments):
        session.expunge(row)
    await session.exec(delete(PulseAnswer).where(col(PulseAnswer.round_id) == round_id))
    await session.exec(delete(PulseComment).where(col(PulseComment.round_id) == round_id))
    shuffle(fresh_answers)
    shuffle(fresh_comments)
    session.add_all([*fresh_answers, *fresh_comments])
    await session.flush()


# -- pulse messages in the outbox ---------------------------------------------------------------------------


async def round_deliveries(session: AsyncSession, *, round_id: int) -> list[OutboxMessage]:
    """Every message queued for a round (their dedupe keys start with `pulse:<round id>:`)."""
    prefix = f"pulse:{round_id}:"
    statement = select(OutboxMessage).where(col(OutboxMessage.dedupe_key).startswith(prefix, autoescape=True))
    return list((await session.exec(statement)).all())


async def deliveries_of_kind(session: AsyncSession, *, kind: str, sent_only: bool = True) -> list[OutboxMessage]:
    statement = select(OutboxMessage).where(OutboxMessage.kind == kind)
    if sent_only:
        statement = statement.where(col(OutboxMessage.status).not_in(UNDELIVERED))
    return list((await session.exec(statement)).all())


async def rewrite_delivery(session: AsyncSession, *, message: OutboxMessage, payload: str | None) -> None:
    """Replace a delivery's payload; None removes a delivery that was not sent yet, or forgets a sent one."""
    if payload is None:
        await session.exec(delete(OutboxMessage).where(col(OutboxMessage.id) == message.id))
        return
    await session.exec(update(OutboxMessage).where(col(OutboxMessage.id) == message.id).values(payload=payload))
