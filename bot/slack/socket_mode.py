"""Socket Mode: Slack pushes the same requests over a WebSocket, for workspaces without a public URL."""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)


async def start_socket_mode(bolt_app: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """Connect to Slack with the app-level token; the caller closes the handler at shutdown."""
    handler = AsyncSocketModeHandler(bolt_app, app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("Slack Socket Mode connected")
    return handler
