"""Teams roster look-ups (`TeamsInfo.get_member`), kept for a while, shared between concurrent requests and paced.

A person's roster entry (email, UPN, AAD id, role) is what ties their Teams account to the directory. Asking for it
is a round trip to the Bot Connector, so an answer is kept for `MEMBER_FRESH_FOR`, a look-up already on its way is
joined rather than repeated (single-flight), and calls are paced by a token bucket well under Teams' 30 requests a
second per app and tenant (the request path and the background each on their own share, so a queue of newcomers to
describe never holds up a request). A failed look-up is not kept.

The background asks through `continue_conversation` on the conversation the person was seen in (`Seen`): the turn
that brought them is over by then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ConversationReference
from botbuilder.schema.teams import TeamsChannelAccount

from bot.flights import Flights
from bot.slack.lookups import RateTier
from bot.teams.activities import team_id, tenant_id
from bot.teams.people import fetch_member

log = logging.getLogger(__name__)

MEMBER_FRESH_FOR = timedelta(minutes=15)
MEMBER_CACHE_ENTRIES = 50_000


def request_tier() -> RateTier:
    """The look-ups a request waits for (only while a directory person waits to be linked to Teams)."""
    return RateTier(per_minute=600, burst=50)


def background_tier() -> RateTier:
    """Describing people after their request was answered."""
    return RateTier(per_minute=300, burst=20)


@dataclass(frozen=True)
class Seen:
    """Where a person was seen: enough to ask the roster about them once the turn is over."""

    reference: ConversationReference
    channel_data: dict[str, Any]

    @classmethod
    def of(cls, activity: Activity) -> Seen:
        team, tenant = team_id(activity), tenant_id(activity)
        data: dict[str, Any] = {"tenant": {"id": tenant}} if tenant else {}
        if team:
            data["team"] = {"id": team}
        return cls(TurnContext.get_conversation_reference(activity), data)


class MemberLookups:
    """`get_member` through a TTL cache, one call per person at a time, paced."""

    def __init__(self, adapter: CloudAdapter | None = None, app_id: str = "") -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.tier = request_tier()
        self.background = background_tier()
        self.flights: Flights[str, TeamsChannelAccount] = Flights(MEMBER_FRESH_FOR, MEMBER_CACHE_ENTRIES)

    async def in_turn(self, turn_context: TurnContext, member_id: str, now: datetime) -> TeamsChannelAccount | None:
        """The member, asked within a live turn (the request waits)."""

        async def ask() -> TeamsChannelAccount | None:
            await self.tier.take()
            return await fetch_member(turn_context, member_id)

        return await self.flights.get(member_id, now, ask)

    async def later(self, seen: Seen, member_id: str, now: datetime) -> TeamsChannelAccount | None:
        """The member, asked on a new turn in the conversation they were seen in (nobody waits)."""

        async def ask() -> TeamsChannelAccount | None:
            if self.adapter is None:
                return None
            await self.background.take()
            found: list[TeamsChannelAccount | None] = []

            async def look(turn_context: TurnContext) -> None:
                turn_context.activity.channel_data = seen.channel_data
                found.append(await fetch_member(turn_context, member_id))

            await self.adapter.continue_conversation(seen.reference, look, self.app_id)
            return found[0] if found else None

        return await self.flights.get(member_id, now, ask)
