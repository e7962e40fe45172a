"""The Teams people picker: it speaks AAD object ids, the core speaks Bravo person ids."""

from __future__ import annotations

from collections.abc import Mapping

from botbuilder.core import TurnContext
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.teams.people import fetch_member, profile_of
from handlers.messages import Form, FormInput, FormOption
from handlers.people import PlatformProfile
from storage import people as people_store
from storage.db import Database


async def people_choices(session: AsyncSession, form: Form) -> Form:
    """Pre-selected people (Bravo ids) as picker choices (AAD ids) the card can show selected."""
    inputs: list[FormInput] = []
    for item in form.inputs:
        if item.kind != "people" or not item.initial:
            inputs.append(item)
            continue
        ids = [int(value) for value in item.initial if value.isdigit()]
        people = [person for person in await people_store.people_by_ids(session, ids=ids) if person.aad_object_id]
        options = tuple(FormOption(label=person.display_name, value=person.aad_object_id or "") for person in people)
        initial = tuple(option.value for option in options)
        inputs.append(item.model_copy(update={"options": (*item.options, *options), "initial": initial}))
    return form.model_copy(update={"inputs": tuple(inputs)})


async def people_from_picker(
    turn_context: TurnContext, database: Database, people_inputs: Mapping[str, tuple[str, ...]]
) -> dict[str, PlatformProfile]:
    """A profile for each picked AAD object id, asking the roster about people Bravo does not know yet.

    Runs before the turn's transaction; people Teams cannot find are left out (the form then says who is missing).
    """
    wanted = {aad for values in people_inputs.values() for aad in values}
    profiles: dict[str, PlatformProfile] = {}
    async with database.sessions() as session:
        for aad in wanted:
            person = await people_store.person_by_aad_id(session, aad_object_id=aad)
            if person is not None and person.teams_id:
                profiles[aad] = PlatformProfile(
                    platform="teams",
                    platform_id=person.teams_id,
                    display_name=person.display_name,
                    aad_object_id=aad,
                    is_bot=person.is_bot,
                    deleted=not person.active,
                )
    for aad in wanted - profiles.keys():
        member = await fetch_member(turn_context, aad)
        if member is not None and member.id:
            profiles[aad] = profile_of(member)
    return profiles
