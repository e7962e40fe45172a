"""Socket Mode: Slack pushes the same requests over a WebSocket, for workspaces without a public URL.

An Events API envelope is acknowledged only once its delivery is committed to the inbox (`bot.slack.events`): an
envelope left unacknowledged (the database is down, the process died) is sent again by Slack. Commands and
interactions go through Bolt as over HTTP.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.inbox_intake import InboxIntake
from bot.slack.events import is_event, store_event

log = logging.getLogger(__name__)


class InboxSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's handler, except that events are stored before their envelope is acknowledged."""

    def __init__(self, app: AsyncApp, app_token: str, intake: InboxIntake, emoji: str) -> None:
        super().__init__(app, app_token)
        self.intake = intake
        self.emoji = emoji

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        if req.type == "events_api" and isinstance(req.payload, dict) and is_event(req.payload):
            if await store_event(self.intake, req.payload, self.emoji):
                await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        await super().handle(client, req)


async def start_socket_mode(
    bolt_app: AsyncApp, app_token: str, intake: InboxIntake, emoji: str
) -> AsyncSocketModeHandler:
    """Connect to Slack with the app-level token; the caller closes the handler at shutdown."""
    handler = InboxSocketModeHandler(bolt_app, app_token, intake, emoji)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("Slack Socket Mode connected")
    return handler
