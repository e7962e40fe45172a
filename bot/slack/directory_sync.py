"""The Slack side of the directory, read in bulk: `users.list`, 200 people a page, paced to its rate tier (Tier 2).

It runs at start-up and after a directory import. It links directory people never seen on Slack to their account by
email, so direct messages reach them, and completes the people Bravo recorded from a request's ids alone (a giver
met for the first time is recorded at once and described in the background, `bot.slack.enrichment`): if that
background look-up was cut short by a restart, this sync finishes it. One call per 200 people, where asking about
each person (`users.lookupByEmail`, `users.info`) would take one call each.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.lookups import RateTier, tier_2
from bot.slack.people import profile_from_user
from handlers.people import PlatformProfile, sync_platform_person
from storage import people as people_store
from storage.db import Database
from storage.models import Person

log = logging.getLogger(__name__)
PAGE_SIZE = 200


async def slack_users(client: AsyncWebClient, tier: RateTier | None = None) -> AsyncIterator[dict[str, Any]]:
    """Every user of the workspace, page by page; stops quietly (with a warning) when Slack cannot say more."""
    tier = tier or tier_2()
    cursor = ""
    while True:
        await tier.take()
        try:
            response = await client.users_list(limit=PAGE_SIZE, cursor=cursor or None, include_locale=True)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("users.list failed: %s", error)
            return
        for user in response.get("members") or ():
            if isinstance(user, dict) and user.get("id"):
                yield user
        cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return


def _needs_description(person: Person) -> bool:
    """Recorded from a request's ids and never described since (`bot.slack.enrichment`)."""
    return person.timezone is None or person.display_name == person.slack_id


async def sync_slack_directory(client: AsyncWebClient, database: Database, tier: RateTier | None = None) -> int:
    """Link directory people to Slack by email and describe the people recorded from ids; how many were linked."""
    async with database.sessions() as session:
        people = await people_store.all_people(session, active_only=False)
    unlinked = {person.email.lower() for person in people if person.email and not person.slack_id}
    undescribed = {person.slack_id for person in people if person.slack_id and _needs_description(person)}
    if not unlinked and not undescribed:
        return 0
    linked: list[PlatformProfile] = []
    described: list[PlatformProfile] = []
    async for user in slack_users(client, tier):
        profile = profile_from_user(user)
        if profile.platform_id in undescribed:
            described.append(profile)
        elif profile.email and profile.email.lower() in unlinked:
            linked.append(profile)
    if linked or described:
        async with database.transaction() as session:
            for profile in (*linked, *described):
                await sync_platform_person(session, profile)
    return len(linked)
