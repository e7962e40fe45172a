"""People recorded from a request's ids, described afterwards: name, email, time zone, locale, bot and deleted flags.

A slash command or a button tap from someone Bravo has not met carries their Slack id, handle and workspace: enough
to record them and give their kudos at once (`bot.slack.people`). What only `users.info` tells is asked once the
request has been answered, through the shared look-ups (cached, single-flight, paced: `bot.slack.lookups`), and
written in its own transaction. The directory never loses to it (`handlers.people.sync_platform_person`); a look-up
cut short by a restart is finished by the next directory sync (`bot.slack.directory_sync`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from bot.slack.lookups import UserLookups
from bot.slack.people import profile_from_user
from bot.stopping import Background
from handlers.people import sync_platform_person
from storage.db import Database

log = logging.getLogger(__name__)


class Enricher:
    """Describes people in the background; `drain()` waits for what was asked so far (tests), `stop()` at shutdown."""

    def __init__(self, lookups: UserLookups, database: Database, clock: Callable[[], datetime]) -> None:
        self.lookups = lookups
        self.database = database
        self.clock = clock
        self.background = Background("describing Slack people")

    def enrich(self, user_ids: Iterable[str]) -> None:
        wanted = tuple(dict.fromkeys(user_ids))
        if wanted:
            self.background.start(self._describe(wanted))

    async def drain(self) -> None:
        await self.background.drain()

    async def stop(self) -> None:
        """Let what is being described be written before the database closes (`bot.stopping`)."""
        await self.background.stop()

    async def _describe(self, user_ids: tuple[str, ...]) -> None:
        now = self.clock()
        users = await asyncio.gather(*(self.lookups.user(user_id, now, background=True) for user_id in user_ids))
        profiles = [profile_from_user(user) for user in users if user is not None]
        if not profiles:
            return
        try:
            async with self.database.transaction() as session:
                for profile in profiles:
                    await sync_platform_person(session, profile)
        except Exception:
            log.exception("could not describe %s; the next directory sync will", ", ".join(user_ids))
