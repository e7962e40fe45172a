"""Proactive Teams deliveries for the outbox: direct messages and channel posts through stored references.

A person is reached through their stored 1:1 chat, else a 1:1 chat is created from a team they belong to (and
stored for next time). A channel is reached through its stored reference, else through any reference of the
same installation (same service URL and bot), which is all a channel post needs.

Deliveries to Teams are at least once. The Bot Framework gives a bot no idempotency key and no way to read back the
messages of a conversation, so this sender cannot tell whether a delivery left in doubt by a crash (the connector
accepted it, the process died before the outbox recorded it) already arrived: the outbox worker sends it again. The
window is the moment between the connector's answer and that commit, or an answer lost on the network.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

from bot.runtime import Runtime
from bot.teams.adapter import build_adapter
from bot.teams.errors import ConversationGone, connector_failure, delivery_error
from bot.teams.outgoing import PacingDelay, card_activity, paced
from bot.teams.pacing import Pacer
from bot.teams.references import from_json, personal_reference_for, to_json
from handlers.messages import Card
from scheduler.sending import DeliveryError, Destination
from storage import conversation_references as teams_store
from storage.models import Person
from storage.models.conversation_references import PERSONAL, TeamsConversation

log = logging.getLogger(__name__)

PROACTIVE_MAX_WAIT = 3.0
CHANNEL_ID = "msteams"


class TeamsSender:
    """The `Sender` for platform `teams`; shares its adapter and pacer with the incoming-activity handler."""

    platform = "teams"

    def __init__(self, runtime: Runtime, *, adapter: CloudAdapter | None = None, pacer: Pacer | None = None) -> None:
        self.runtime = runtime
        self.adapter = adapter or build_adapter(runtime.settings)
        self.pacer = pacer or Pacer()
        self.app_id = runtime.settings.microsoft_app_id
        # The tenant the outbox paces on its own (30 messages a second per app per tenant), when the app has one.
        self.workspace = runtime.settings.microsoft_app_tenant_id or None
        self.universal = runtime.settings.teams_universal_actions

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        activity = card_activity(card, universal=self.universal)
        try:
            # A message to a person, even one meant to be shown in a channel (Teams has no such messages), is direct.
            if destination.person_id is not None:
                return await self._direct(destination.person_id, activity)
            if destination.channel:
                return await self._post(await self._channel_reference(destination.channel), activity)
        except PacingDelay as delay:
            raise DeliveryError(str(delay), permanent=False, retry_after=delay.seconds) from None
        raise DeliveryError("a Teams delivery needs a person or a channel", permanent=True)

    async def _channel_reference(self, channel: str) -> ConversationReference:
        async with self.runtime.database.sessions() as session:
            row = await teams_store.channel_reference(session, conversation_id=channel)
            if row is not None:
                return from_json(row.reference)
            other = await teams_store.latest_channel_reference(session)
        if other is None:
            raise DeliveryError(f"Bravo is not installed in the Teams team of channel {channel}", permanent=True)
        reference = from_json(other.reference)
        reference.conversation = ConversationAccount(
            id=channel, is_group=True, conversation_type="channel", tenant_id=other.tenant_id
        )
        return reference

    async def _direct(self, person_id: int, activity: Activity) -> str | None:
        async with self.runtime.database.sessions() as session:
            person = await session.get(Person, person_id)
            personal = await teams_store.personal_reference(session, person_id=person_id)
            member = await teams_store.member_reference(session, person_id=person_id)
            if member is None and personal is None:
                member = await teams_store.latest_channel_reference(session)
        if personal is not None:
            try:
                return await self._post(from_json(personal.reference), activity)
            except ConversationGone:
                if member is None:
                    raise
                log.info("1:1 chat with person %s is gone; creating a new one", person_id)
                async with self.runtime.database.transaction() as session:
                    await teams_store.forget_personal(session, person_id=person_id)
        if member is None or person is None or not person.teams_id:
            raise DeliveryError(f"no Teams conversation with person {person_id}", permanent=True)
        return await self._create_and_post(person, member, activity)

    async def _post(self, reference: ConversationReference, activity: Activity) -> str | None:
        """Send `activity` as a new message (not a thread reply) in the reference's conversation."""
        conversation_id = reference.conversation.id
        tenant = reference.conversation.tenant_id
        sent: list[str | None] = []

        async def post(turn_context: TurnContext) -> None:
            connector = turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
            message = TurnContext.apply_conversation_reference(activity, reference)
            message.reply_to_id = None
            response = await paced(
                self.pacer,
                lambda: connector.conversations.send_to_conversation(conversation_id, message),
                conversation_id=conversation_id,
                tenant_id=tenant,
                max_wait=PROACTIVE_MAX_WAIT,
            )
            sent.append(getattr(response, "id", None))

        await self._run(self.adapter.continue_conversation(reference, post, self.app_id))
        return sent[0] if sent else None

    async def _create_and_post(self, person: Person, member: TeamsConversation, activity: Activity) -> str | None:
        """Open a 1:1 chat from a team the person is in, remember it, and post there."""
        team_reference = from_json(member.reference)
        tenant = member.tenant_id or team_reference.conversation.tenant_id
        user = ChannelAccount(id=person.teams_id, name=person.display_name)
        parameters = ConversationParameters(
            is_group=False,
            bot=team_reference.bot,
            members=[user],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        created: list[ConversationReference] = []

        async def remember(turn_context: TurnContext) -> None:
            created.append(
                personal_reference_for(
                    team_reference, conversation_id=turn_context.activity.conversation.id, user=user, tenant=tenant
                )
            )

        async def create() -> None:
            await self.adapter.create_conversation(
                self.app_id, remember, parameters, channel_id=CHANNEL_ID, service_url=member.service_url
            )

        await self._run(
            paced(self.pacer, create, conversation_id=f"create:{tenant}", tenant_id=tenant, max_wait=PROACTIVE_MAX_WAIT)
        )
        if not created:
            raise DeliveryError("Teams created no conversation", permanent=False)
        personal = created[0]
        async with self.runtime.database.transaction() as session:
            await teams_store.save_reference(
                session,
                kind=PERSONAL,
                person_id=person.id,
                conversation_id=personal.conversation.id,
                service_url=member.service_url,
                reference=to_json(personal),
                tenant_id=tenant,
            )
        return await self._post(personal, activity)

    @staticmethod
    async def _run(call: Awaitable[object]) -> None:
        """Await a connector operation, turning its failures into delivery errors."""
        try:
            await call
        except (DeliveryError, PacingDelay):
            raise
        except Exception as error:  # noqa: BLE001 - every connector failure becomes a delivery error
            if connector_failure(error) is None:
                log.warning("Teams delivery failed: %r", error)
            raise delivery_error(error) from error
