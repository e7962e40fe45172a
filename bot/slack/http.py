"""`POST /slack/events` on the shared aiohttp server: events, slash commands and interactivity at one URL.

The aiohttp request becomes Bolt's neutral request, Bolt dispatches it and its response goes back as is; when
`SLACK_APP_TOKEN` is set, Socket Mode carries the same requests instead.

The signature is checked here, before Bolt parses anything: Bolt builds its request (and trips over payloads that
are not shaped like Slack's) before its own check runs, so an unsigned or malformed body must never reach it. A
body over the server's limit is refused with 413 before it is read in full.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.runtime import Runtime
from bot.slack.app import build_bolt_app
from bot.slack.payloads import slack_shaped
from bot.slack.turn import SlackBot
from scheduler.outbox_worker import OutboxWorker

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
BOLT_APP_KEY = web.AppKey("slack_bolt_app", AsyncApp)
SLACK_BOT_KEY = web.AppKey("slack_bot", SlackBot)


def mount_slack(app: web.Application, runtime: Runtime, worker: OutboxWorker) -> None:
    """Build the Bolt app; serve it over HTTP unless Socket Mode is configured."""
    bolt_app, bot = build_bolt_app(runtime, worker)
    app[BOLT_APP_KEY] = bolt_app
    app[SLACK_BOT_KEY] = bot
    if runtime.settings.slack_app_token:
        return

    secret = runtime.settings.slack_signing_secret
    verifier = SignatureVerifier(secret) if secret.strip() else None

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.text()
        if verifier is not None and not signed(verifier, body, request.headers):
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            bolt_request = await to_bolt_request(request)
        except Exception as error:  # noqa: BLE001 - a signed body Bolt cannot read is refused, not a crash
            log.warning("Slack request refused: unreadable payload (%s)", type(error).__name__)
            return web.json_response({"error": "malformed payload"}, status=400)
        if not slack_shaped(bolt_request.body):
            log.warning("Slack request refused: payload not shaped like Slack's")
            return web.json_response({"error": "malformed payload"}, status=400)
        bolt_response = await bolt_app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    app.router.add_post(SLACK_PATH, slack_events)


def signed(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    """Slack's v0 signature over this body, made less than five minutes ago; anything unreadable is unsigned."""
    try:
        return verifier.is_valid_request(body, dict(headers))
    except (TypeError, ValueError):
        return False
