"""Queries on stored Teams conversation references (personal chats, channels, team memberships)."""

from __future__ import annotations

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models.base import utcnow
from storage.models.conversation_references import CHANNEL, MEMBER, PERSONAL, TeamsConversation
from storage.upsert import insert_ignore


def personal_key(person_id: int) -> str:
    return f"{PERSONAL}:{person_id}"


def member_key(person_id: int) -> str:
    return f"{MEMBER}:{person_id}"


def channel_key(conversation_id: str) -> str:
    return f"{CHANNEL}:{conversation_id}"


async def save_reference(
    session: AsyncSession,
    *,
    kind: str,
    conversation_id: str,
    service_url: str,
    reference: str,
    person_id: int | None = None,
    team_id: str | None = None,
    tenant_id: str | None = None,
) -> None:
    """Insert or refresh one reference; concurrent first contacts cannot collide (insert-or-ignore, then update)."""
    if kind == CHANNEL:
        key = channel_key(conversation_id)
    elif person_id is not None:
        key = personal_key(person_id) if kind == PERSONAL else member_key(person_id)
    else:
        raise ValueError(f"a {kind} reference needs a person")
    values = {
        "kind": kind,
        "person_id": person_id,
        "conversation_id": conversation_id[:255],
        "team_id": team_id[:255] if team_id else None,
        "tenant_id": tenant_id[:64] if tenant_id else None,
        "service_url": service_url[:255],
        "reference": reference,
    }
    now = utcnow()
    if await insert_ignore(session, TeamsConversation, {"key": key, "created_at": now, "updated_at": now, **values}):
        return
    await session.exec(
        update(TeamsConversation).where(col(TeamsConversation.key) == key).values(updated_at=now, **values)
    )


async def _by_key(session: AsyncSession, key: str) -> TeamsConversation | None:
    return (await session.exec(select(TeamsConversation).where(TeamsConversation.key == key))).first()


async def personal_reference(session: AsyncSession, *, person_id: int) -> TeamsConversation | None:
    """The bot's 1:1 chat with a person, if one exists."""
    return await _by_key(session, personal_key(person_id))


async def member_reference(session: AsyncSession, *, person_id: int) -> TeamsConversation | None:
    """A team (or group chat) the person was last seen in: where a 1:1 chat with them can be created."""
    return await _by_key(session, member_key(person_id))


async def channel_reference(session: AsyncSession, *, conversation_id: str) -> TeamsConversation | None:
    return await _by_key(session, channel_key(conversation_id))


async def latest_channel_reference(session: AsyncSession, *, tenant_id: str | None = None) -> TeamsConversation | None:
    """The most recently refreshed channel reference (of a tenant): its service URL and bot reach the others."""
    statement = select(TeamsConversation).where(TeamsConversation.kind == CHANNEL)
    if tenant_id:
        statement = statement.where(TeamsConversation.tenant_id == tenant_id)
    statement = statement.order_by(col(TeamsConversation.updated_at).desc(), col(TeamsConversation.id).desc())
    return (await session.exec(statement.limit(1))).first()


async def team_references(session: AsyncSession) -> list[TeamsConversation]:
    """The latest channel reference of every team Bravo has seen: one turn in each reaches the team's roster."""
    statement = (
        select(TeamsConversation)
        .where(TeamsConversation.kind == CHANNEL, col(TeamsConversation.team_id).is_not(None))
        .order_by(col(TeamsConversation.updated_at).desc(), col(TeamsConversation.id).desc())
    )
    latest: dict[str, TeamsConversation] = {}
    for row in (await session.exec(statement)).all():
        latest.setdefault(row.team_id or "", row)
    return list(latest.values())


async def forget_personal(session: AsyncSession, *, person_id: int) -> None:
    """Drop a 1:1 chat Teams no longer knows, so the next delivery creates a fresh one."""
    await session.exec(delete(TeamsConversation).where(col(TeamsConversation.key) == personal_key(person_id)))
