"""Teams accounts as Bravo people: profiles from the roster APIs (email, AAD id), matched to the directory."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ChannelAccount
from botbuilder.schema.teams import TeamsChannelAccount

from handlers.people import PlatformProfile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Account:
    """A Teams account seen in an activity (sender, mention, picker choice)."""

    id: str
    name: str = ""
    aad_object_id: str | None = None


def profile_of(
    member: TeamsChannelAccount, *, locale: str | None = None, timezone: str | None = None
) -> PlatformProfile:
    """A roster entry as a platform profile; the UPN stands in for a missing email."""
    email = member.email or (member.user_principal_name if "@" in (member.user_principal_name or "") else None)
    return PlatformProfile(
        platform="teams",
        platform_id=str(member.id),
        display_name=member.name or " ".join(filter(None, (member.given_name, member.surname))) or str(member.id),
        email=email,
        aad_object_id=member.aad_object_id,
        locale=locale,
        timezone=timezone,
        is_bot=(member.user_role or "").lower() == "bot" or str(member.id).startswith("28:"),
    )


def bare_profile(account: Account, *, locale: str | None = None, timezone: str | None = None) -> PlatformProfile:
    """What the activity alone says: recorded at once, described by the roster later (`bot.teams.enrichment`).
    Another bot's account id starts with `28:` (Bravo's own is never a person)."""
    return PlatformProfile(
        platform="teams",
        platform_id=account.id,
        display_name=account.name or account.id,
        aad_object_id=account.aad_object_id,
        locale=locale,
        timezone=timezone,
        is_bot=account.id.startswith("28:"),
    )


async def fetch_member(turn_context: TurnContext, member_id: str) -> TeamsChannelAccount | None:
    """The roster entry for an account id or AAD object id; None when Teams cannot say (left, no connector)."""
    try:
        return await TeamsInfo.get_member(turn_context, member_id)
    except Exception as error:  # noqa: BLE001 - any failure means "ask nothing more, use what the activity says"
        log.info("Teams member %s not found: %s", member_id, error)
        return None


def account_of(channel_account: ChannelAccount | None) -> Account | None:
    if channel_account is None or not channel_account.id:
        return None
    aad = channel_account.aad_object_id or (channel_account.additional_properties or {}).get("aadObjectId")
    return Account(id=str(channel_account.id), name=channel_account.name or "", aad_object_id=aad or None)
