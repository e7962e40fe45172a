"""Platform deliveries already handled: the guard against Slack retries and Teams redeliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedEvent
from storage.upsert import insert_ignore, insert_ignore_returning


async def claim_event(session: AsyncSession, *, key: str) -> bool:
    """True the first time `key` is seen; committed together with the work it guards."""
    return await insert_ignore(session, ProcessedEvent, {"key": key[:255]})


async def claim_events(session: AsyncSession, *, keys: Sequence[str]) -> set[str]:
    """`claim_event` for a batch, in one statement: the keys seen for the first time (as stored, at most 255
    characters)."""
    rows = [{"key": key} for key in dict.fromkeys(key[:255] for key in keys)]
    return {key for (key,) in await insert_ignore_returning(session, ProcessedEvent, rows, returning=("key",))}


async def forget_events_before(session: AsyncSession, *, cutoff: datetime) -> int:
    """Delete the keys of deliveries handled before `cutoff`: the platforms stopped resending them long ago."""
    result = await session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.created_at) < cutoff))
    return int(result.rowcount or 0)
