"""One Teams turn as one unit of work: claim the delivery, sync the people, run the use case, commit, then answer.

Everything the use case changes, the outbox rows it queues, the people it met and the conversation reference
are committed together before Teams gets its answer; a delivery (or card submission) seen before changes nothing.

A kudos given in a group chat, a private or a shared channel is not re-posted publicly (`activities.kept_private`):
its turn's rules have no recognition channel, as for Slack's private channels and group DMs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from botbuilder.schema import Activity
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.teams.activities import CHANNEL, GROUP_CHAT, base_conversation_id, conversation_scope, kept_private
from bot.teams.references import remember, remember_member
from handlers.context import Capabilities, Context
from handlers.messages import Reply
from handlers.people import PlatformProfile, sync_platform_person
from handlers.policy import Policy
from storage.db import Database
from storage.events import claim_event
from storage.models import Person
from storage.models.base import utcnow

UseCase = Callable[[Context, Mapping[str, Person]], Awaitable[Reply]]
# Teams has no user groups Bravo can read (a tag mention stays text), and Bravo sees no reactions or emoji there.
TEAMS_CAN = Capabilities(user_groups=False, emoji_kudos=False)


@dataclass(frozen=True)
class TurnRequest:
    """What a turn needs: its idempotency keys, the people involved by Teams id, and the actor.

    With `claim`, the turn runs only if every key is new (a card submitted twice counts once); without, a delivery
    Teams sends again runs again and its use case, keyed by the last key, answers as the first time (a kudos
    redelivered gets its first confirmation back, not silence).
    """

    activity: Activity
    keys: Sequence[str]
    profiles: Mapping[str, PlatformProfile]
    actor_id: str
    claim: bool = True


def context_channel(activity: Activity) -> str | None:
    """The channel or group chat a command was typed in; None in a 1:1 chat."""
    return base_conversation_id(activity) if conversation_scope(activity) in (CHANNEL, GROUP_CHAT) else None


async def sync_people(session: AsyncSession, profiles: Mapping[str, PlatformProfile]) -> dict[str, Person]:
    return {account_id: await sync_platform_person(session, profile) for account_id, profile in profiles.items()}


async def run_turn(database: Database, policy: Policy, request: TurnRequest, use_case: UseCase) -> Reply | None:
    """The use case's reply, or None when this delivery was already handled."""
    activity = request.activity
    async with database.transaction() as session:
        for key in request.keys if request.claim else ():
            if not await claim_event(session, key=key):
                return None
        people = await sync_people(session, request.profiles)
        actor = people[request.actor_id]
        await remember(session, activity, person_id=actor.id)
        if context_channel(activity) is not None:
            for account_id, person in people.items():
                if account_id != request.actor_id and person.id is not None and not person.is_bot:
                    await remember_member(session, activity, person_id=person.id)
        if kept_private(activity):  # a group chat, a private or shared channel: its kudos are not re-posted
            policy = replace(policy, teams_recognition_channel=None)
        ctx = Context(
            session=session,
            actor=actor,
            policy=policy,
            now=utcnow(),
            platform="teams",
            event_key=request.keys[-1],
            channel=context_channel(activity),
            locale=activity.locale,
            capabilities=TEAMS_CAN,
        )
        return await use_case(ctx, people)
