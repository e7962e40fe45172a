"""The Slack Web API client Bravo uses everywhere (Bolt's listeners and the outbox sender)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings

API_TIMEOUT_SECONDS = 10


def web_client(settings: Settings) -> AsyncWebClient:
    """A client for the configured workspace; `SLACK_API_URL` points it at a proxy or a test server."""
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return AsyncWebClient(token=settings.slack_bot_token, base_url=base_url, timeout=API_TIMEOUT_SECONDS)
