"""Conversation references: stored on install, first contact and roster sync, used for every proactive message."""

from __future__ import annotations

import json

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.teams.activities import (
    PERSONAL,
    base_conversation_id,
    conversation_scope,
    team_id,
    tenant_id,
)
from storage import conversation_references as teams_store
from storage.models.conversation_references import CHANNEL, MEMBER
from storage.models.conversation_references import PERSONAL as PERSONAL_KIND


def to_json(reference: ConversationReference) -> str:
    return json.dumps(reference.serialize(), sort_keys=True)


def from_json(text: str) -> ConversationReference:
    return ConversationReference().deserialize(json.loads(text))


def reference_of(activity: Activity) -> ConversationReference:
    """Where a reply to `activity` would go, minus the thread: proactive posts start their own."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    if reference.conversation is not None:
        conversation = ConversationAccount().deserialize(reference.conversation.serialize())
        conversation.id = base_conversation_id(activity)
        conversation.tenant_id = conversation.tenant_id or tenant_id(activity)
        reference.conversation = conversation
    return reference


def personal_reference_for(
    reference: ConversationReference, *, conversation_id: str, user: ChannelAccount, tenant: str | None
) -> ConversationReference:
    """A 1:1 chat's reference, made from a team's reference and a newly created conversation."""
    personal = ConversationReference().deserialize(reference.serialize())
    personal.activity_id = None
    personal.user = user
    personal.conversation = ConversationAccount(
        id=conversation_id, conversation_type=PERSONAL, tenant_id=tenant, is_group=False
    )
    return personal


async def remember(session: AsyncSession, activity: Activity, *, person_id: int | None) -> None:
    """Store where this activity came from: a person's 1:1 chat, or a channel (or group chat) and the person's
    membership of it."""
    conversation_id = base_conversation_id(activity)
    service_url = activity.service_url or ""
    if not conversation_id or not service_url:
        return
    reference = to_json(reference_of(activity))
    team, tenant = team_id(activity), tenant_id(activity)
    kinds: list[tuple[str, int | None]] = []
    if conversation_scope(activity) == PERSONAL:
        kinds = [(PERSONAL_KIND, person_id)] if person_id is not None else []
    else:
        kinds = [(CHANNEL, None)] + ([(MEMBER, person_id)] if person_id is not None else [])
    for kind, who in kinds:
        await teams_store.save_reference(
            session,
            kind=kind,
            person_id=who,
            conversation_id=conversation_id,
            service_url=service_url,
            reference=reference,
            team_id=team,
            tenant_id=tenant,
        )


async def remember_member(session: AsyncSession, activity: Activity, *, person_id: int) -> None:
    """Roster sync: the person belongs to this team or group chat, where a 1:1 chat with them can be created."""
    conversation_id = base_conversation_id(activity)
    if not conversation_id or not activity.service_url:
        return
    await teams_store.save_reference(
        session,
        kind=MEMBER,
        person_id=person_id,
        conversation_id=conversation_id,
        service_url=activity.service_url,
        reference=to_json(reference_of(activity)),
        team_id=team_id(activity),
        tenant_id=tenant_id(activity),
    )
