"""People seen on a platform: created on first sight, matched to the imported directory by email."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.i18n import normalise_language
from storage import people as people_store
from storage.models import Person


@dataclass(frozen=True)
class PlatformProfile:
    """What a platform tells about a user (Slack `users.info`, a Teams roster entry or activity)."""

    platform: Literal["slack", "teams"]
    platform_id: str
    display_name: str
    email: str | None = None
    timezone: str | None = None
    locale: str | None = None
    is_bot: bool = False
    deleted: bool = False
    aad_object_id: str | None = None
    # The handle a first, id-only record was named after (Slack's `user_name`): a real name replaces it later.
    handle: str | None = None


async def find_known(session: AsyncSession, profile: PlatformProfile) -> Person | None:
    """The person this profile belongs to: by platform id first, then AAD id, then directory email."""
    if profile.platform == "slack":
        person = await people_store.person_by_slack_id(session, slack_id=profile.platform_id)
    else:
        person = await people_store.person_by_teams_id(session, teams_id=profile.platform_id)
    if person is None and profile.aad_object_id:
        person = await people_store.person_by_aad_id(session, aad_object_id=profile.aad_object_id)
    if person is None and profile.email:
        person = await people_store.person_by_email(session, email=profile.email)
    return person


async def sync_platform_person(session: AsyncSession, profile: PlatformProfile) -> Person:
    """Create or update the person behind a platform profile, keeping what the directory says.

    The directory (CSV import) is the authority on name, team, manager and language; the platform fills in what the
    directory left empty and keeps its own ids current.
    """
    person = await find_known(session, profile)
    email = profile.email.strip().lower() if profile.email else None
    if person is None:
        person = Person(display_name=profile.display_name or profile.platform_id, email=email)
    if profile.platform == "slack":
        person.slack_id = profile.platform_id
    else:
        person.teams_id = profile.platform_id
        person.aad_object_id = profile.aad_object_id or person.aad_object_id
    if email and not person.email:
        taken = await people_store.person_by_email(session, email=email)
        person.email = email if taken is None or taken.id == person.id else person.email
    if not person.timezone and profile.timezone:
        person.timezone = profile.timezone
    if not person.language and profile.locale:
        language = normalise_language(profile.locale, "")
        person.language = language or None
    if not person.display_name or person.display_name in (profile.platform_id, profile.handle):
        person.display_name = profile.display_name or person.display_name
    person.is_bot = profile.is_bot
    person.active = not profile.deleted
    await people_store.save(session, person)
    return person
