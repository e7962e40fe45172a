"""Who a Teams people picker names: AAD object ids, made Bravo people without holding the request on the roster.

A picker submits only each chosen person's AAD object id (no name, no Teams account id). Someone Bravo already
knows by that id costs nothing. Anyone else is asked about through the shared roster look-ups (`MemberLookups`:
kept 15 minutes, one call per person however many forms ask at once, paced), and the request waits for them at
most `PICKER_WAIT`. A look-up that outlasts it carries on: its answer is kept, and the person is recorded in the
background (`TeamsEnricher.settle`), so the same form sent again a moment later needs no round trip at all.

Who is still unknown when the wait is over is reported back (`Picked.missing`), never dropped: the form is not
submitted without them (`bot.teams.forms.again_form`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

from botbuilder.core import TurnContext
from botbuilder.schema.teams import TeamsChannelAccount

from bot.teams.lookups import MemberLookups
from bot.teams.people import profile_of
from handlers.people import PlatformProfile
from storage import people as people_store
from storage.db import Database
from storage.models.base import utcnow

PICKER_WAIT = 1.5  # seconds a submission waits for the roster; Teams itself gives a bot 15 (5 for an invoke)

Lookup = asyncio.Task[TeamsChannelAccount | None]


@dataclass
class Picked:
    """A profile per AAD object id resolved; the ids still unknown; the look-ups that outlasted the wait."""

    profiles: dict[str, PlatformProfile] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    pending: tuple[Lookup, ...] = ()


async def people_from_picker(
    turn_context: TurnContext,
    database: Database,
    people_inputs: Mapping[str, tuple[str, ...]],
    lookups: MemberLookups,
    *,
    wait: float | None = None,
) -> Picked:
    """Profiles for the picked AAD object ids; runs before the turn's transaction (no lock held while waiting)."""
    wanted = list(dict.fromkeys(aad for values in people_inputs.values() for aad in values))
    picked = Picked()
    async with database.sessions() as session:
        for aad in wanted:
            person = await people_store.person_by_aad_id(session, aad_object_id=aad)
            if person is not None and person.teams_id:
                picked.profiles[aad] = PlatformProfile(
                    platform="teams",
                    platform_id=person.teams_id,
                    display_name=person.display_name,
                    aad_object_id=aad,
                    is_bot=person.is_bot,
                    deleted=not person.active,
                )
    unknown = [aad for aad in wanted if aad not in picked.profiles]
    if not unknown:
        return picked
    now = utcnow()
    asked = {aad: asyncio.ensure_future(lookups.in_turn(turn_context, aad, now)) for aad in unknown}
    await asyncio.wait(asked.values(), timeout=PICKER_WAIT if wait is None else wait)
    missing: list[str] = []
    for aad, lookup in asked.items():
        member = _answer(lookup)
        if member is not None and member.id:
            picked.profiles[aad] = profile_of(member)
        else:
            missing.append(aad)
    picked.missing = tuple(missing)
    picked.pending = tuple(lookup for lookup in asked.values() if not lookup.done())
    return picked


def _answer(lookup: Lookup) -> TeamsChannelAccount | None:
    if not lookup.done() or lookup.cancelled() or lookup.exception() is not None:
        return None
    return lookup.result()
