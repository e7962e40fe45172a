"""botbuilder's CloudAdapter built from Bravo's settings: who the bot is and how Bot Framework tokens are checked."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from msrest.universal_http.requests import ClientRetryPolicy

from bot.config import Settings
from bot.teams import signing_keys


@dataclass(frozen=True)
class BotFrameworkConfig:
    """The attribute names `ConfigurationBotFrameworkAuthentication` reads; an empty APP_ID turns auth off."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def bot_framework_config(settings: Settings) -> BotFrameworkConfig:
    return BotFrameworkConfig(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TYPE=settings.microsoft_app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id,
    )


def build_adapter(settings: Settings) -> CloudAdapter:
    """The adapter for incoming turns and proactive messages; refuses to run unauthenticated unless allowed."""
    if not settings.microsoft_app_id and not settings.teams_auth_disabled:
        raise ValueError("Teams needs MICROSOFT_APP_ID (or TEAMS_ALLOW_UNAUTHENTICATED=true for local development)")
    # msrest warns about every Teams channelData field its models lack (teamsChannelId, eventType…) on each call.
    logging.getLogger("msrest.serialization").setLevel(logging.ERROR)
    signing_keys.install()
    quick_retry_policies()
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(bot_framework_config(settings)))


def quick_retry_policies() -> None:
    """Make msrest's retry policy cheap to build: the same codes, looked up in a set.

    botbuilder builds two clients (connector and user token) for every proactive message, and each builds a
    `ClientRetryPolicy`, which tests each of 999 status codes against a list of 500 "safe" ones: about half of the
    CPU a Teams delivery cost in a profile of the fan-out benchmark.
    """
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]
