"""Roster sync: every member of a team or group chat becomes a Bravo person (matched by email or AAD id) that
proactive messages can reach, through a 1:1 chat created from that team."""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter

from bot.teams.people import profile_of
from bot.teams.references import from_json, remember_member
from handlers.people import sync_platform_person
from storage import conversation_references as teams_store
from storage.db import Database

log = logging.getLogger(__name__)

PAGE_SIZE = 500


async def sync_roster(turn_context: TurnContext, database: Database, *, page_size: int = PAGE_SIZE) -> int:
    """Page through the conversation's members (one transaction per page); returns how many people were synced."""
    token: str | None = None
    synced = 0
    while True:
        page = await TeamsInfo.get_paged_members(turn_context, token, page_size)
        profiles = [profile_of(member) for member in page.members or []]
        async with database.transaction() as session:
            for profile in profiles:
                if profile.is_bot:
                    continue
                person = await sync_platform_person(session, profile)
                await remember_member(session, turn_context.activity, person_id=person.id or 0)
                synced += 1
        token = page.continuation_token
        if not token:
            return synced


async def sync_all_rosters(adapter: CloudAdapter, database: Database, *, app_id: str) -> dict[str, int]:
    """Sync the roster of every team Bravo has a reference for; returns people synced per team id."""
    async with database.sessions() as session:
        rows = await teams_store.team_references(session)
    counts: dict[str, int] = {}
    for row in rows:
        team = row.team_id or row.conversation_id

        async def sync(turn_context: TurnContext, team: str = team, tenant: str | None = row.tenant_id) -> None:
            turn_context.activity.channel_data = {"team": {"id": team}, "tenant": {"id": tenant}}
            counts[team] = await sync_roster(turn_context, database)

        await adapter.continue_conversation(from_json(row.reference), sync, app_id)
    return counts
