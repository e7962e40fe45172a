"""Who Bravo asks Teams about, and when: people recorded from the activity at once, described in the background.

An activity carries each account's Teams id and name, the sender's AAD object id and locale: enough to record a
newcomer and give their kudos in the same turn, without a round trip to the Bot Connector. What only the roster
tells (email, UPN, role) is asked once the turn has been answered (`TeamsEnricher`, through the shared look-ups:
cached, single-flight, paced: `bot.teams.lookups`) and written in its own transaction; the directory never loses
to it (`handlers.people.sync_platform_person`). A description cut short by a restart is made by the next roster
sync (`bravo teams-roster`, an install).

A person picked in a form's people picker is asked about within the request, for a short while only
(`bot.teams.picker`); a look-up that outlasts it is settled here: the person is recorded once Teams answers.

One exception: while a directory person has an email and no Teams account linked, a newcomer might be them, and
only the roster's answer (their email) can tell. Then the newcomer is looked up within the turn (cached, shared,
paced), so their kudos joins their directory record rather than a second one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from botbuilder.core import TurnContext
from botbuilder.schema.teams import TeamsChannelAccount

from bot.stopping import Background
from bot.teams.lookups import MemberLookups, Seen
from bot.teams.people import Account, bare_profile, profile_of
from handlers.people import PlatformProfile, sync_platform_person
from storage import people as people_store
from storage.db import Database
from storage.models.base import utcnow

log = logging.getLogger(__name__)
TO_DESCRIBE = "bravo.to_describe"


@dataclass
class Recognised:
    """A profile per account, and the accounts recorded from the activity alone (to describe later)."""

    profiles: dict[str, PlatformProfile] = field(default_factory=dict)
    to_describe: list[Account] = field(default_factory=list)


async def resolve_profiles(
    turn_context: TurnContext,
    database: Database,
    accounts: Iterable[Account],
    lookups: MemberLookups,
    *,
    locales: Mapping[str, tuple[str | None, str | None]] | None = None,
) -> Recognised:
    """A profile per account from the activity; the roster is asked within the turn only when a directory person
    waits to be linked (see the module). Runs before the turn's transaction: no database lock is held meanwhile."""
    wanted = {account.id: account for account in accounts if account.id}
    async with database.sessions() as session:
        known = {
            account_id
            for account_id in wanted
            if (person := await people_store.person_by_teams_id(session, teams_id=account_id)) and person.email
        }
        ask_now = len(known) < len(wanted) and await people_store.someone_unlinked_on_teams(session)
    recognised = Recognised()
    now = utcnow()
    for account_id, account in wanted.items():
        locale, timezone = (locales or {}).get(account_id, (None, None))
        member = await lookups.in_turn(turn_context, account_id, now) if ask_now and account_id not in known else None
        if member is not None:
            recognised.profiles[account_id] = profile_of(member, locale=locale, timezone=timezone)
            continue
        recognised.profiles[account_id] = bare_profile(account, locale=locale, timezone=timezone)
        if account_id not in known and not ask_now:
            recognised.to_describe.append(account)
    return recognised


class TeamsEnricher:
    """Describes people in the background; `drain()` waits for what was asked so far (tests), `stop()` at shutdown."""

    def __init__(self, lookups: MemberLookups, database: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.lookups = lookups
        self.database = database
        self.clock = clock
        self.background = Background("describing Teams people")

    def note(self, turn_context: TurnContext, accounts: Iterable[Account]) -> None:
        """Describe these accounts once the turn is over (`after`): nothing of it waits for the roster."""
        noted = turn_context.turn_state.setdefault(TO_DESCRIBE, [])
        noted.extend(accounts)

    def after(self, turn_context: TurnContext) -> None:
        """Start describing what the turn noted (called once the turn has been answered)."""
        noted = turn_context.turn_state.pop(TO_DESCRIBE, None)
        if noted:
            self.enrich(Seen.of(turn_context.activity), noted)

    def enrich(self, seen: Seen, accounts: Iterable[Account]) -> None:
        wanted = tuple({account.id: account for account in accounts}.values())
        if wanted:
            self.background.start(self._describe(seen, wanted))

    def settle(self, lookups: Iterable[Awaitable[TeamsChannelAccount | None]]) -> None:
        """Record the people whose roster look-up outlasted their request, as Teams answers (nobody waits)."""
        waiting = tuple(lookups)
        if waiting:
            self.background.start(self._settle(waiting))

    async def drain(self) -> None:
        await self.background.drain()

    async def stop(self) -> None:
        """Let what is being described be written before the database closes (`bot.stopping`)."""
        await self.background.stop()

    async def _describe(self, seen: Seen, accounts: tuple[Account, ...]) -> None:
        names = ", ".join(account.id for account in accounts)
        try:
            now = self.clock()
            members = await asyncio.gather(*(self.lookups.later(seen, account.id, now) for account in accounts))
            await self._record(members)
        except Exception:
            log.exception("could not describe %s; the next roster sync will", names)

    async def _settle(self, lookups: tuple[Awaitable[TeamsChannelAccount | None], ...]) -> None:
        answers = await asyncio.gather(*lookups, return_exceptions=True)
        try:
            await self._record([answer for answer in answers if isinstance(answer, TeamsChannelAccount)])
        except Exception:
            log.exception("could not record the people a form picked; the form sent again will")

    async def _record(self, members: Iterable[TeamsChannelAccount | None]) -> None:
        profiles = [profile_of(member) for member in members if member is not None and member.id]
        if not profiles:
            return
        async with self.database.transaction() as session:
            for profile in profiles:
                await sync_platform_person(session, profile)
