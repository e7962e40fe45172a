"""The Slack Web API client Bravo uses everywhere (Bolt's listeners and the outbox sender)."""

from __future__ import annotations

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings

API_TIMEOUT_SECONDS = 10
# Connections kept open to Slack by one pooled session: more than the outbox ever has in flight at once at the rates
# Slack allows, so a fan-out never waits for a free connection.
POOL_CONNECTIONS = 100


def web_client(settings: Settings) -> AsyncWebClient:
    """A client for the configured workspace; `SLACK_API_URL` points it at a proxy or a test server."""
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return AsyncWebClient(token=settings.slack_bot_token, base_url=base_url, timeout=API_TIMEOUT_SECONDS)


def pooled_session(timeout: float = API_TIMEOUT_SECONDS) -> aiohttp.ClientSession:
    """An HTTP session whose connections are kept open between calls.

    Without one, slack_sdk opens (and closes) a session, hence a TCP and TLS connection, for every call: the largest
    cost per message of a fan-out. The timeout is the session's, since slack_sdk applies the client's own only to the
    sessions it opens itself. Created inside the running event loop, closed by its owner.
    """
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout),
        connector=aiohttp.TCPConnector(limit=POOL_CONNECTIONS),
    )
