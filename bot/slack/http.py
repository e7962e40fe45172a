"""`POST /slack/events` on the shared aiohttp server: events, slash commands and interactivity at one URL.

The aiohttp request becomes Bolt's neutral request, Bolt dispatches it and its response goes back as is; when
`SLACK_APP_TOKEN` is set, Socket Mode carries the same requests instead. Events API deliveries are not dispatched
here: they are committed to the inbox and answered 200 only once stored (503 when the database cannot store them,
so Slack sends them again), and processed by the inbox worker (`bot.slack.events`).

The signature is checked here on the raw bytes, before anything is decoded or parsed: an unsigned body is refused
with 401 whatever it holds (every body, were the signing secret missing, which the settings refuse at start). The
body is then read by `bot.slack.body` (not by Bolt, whose reader mistakes any command text containing "payload" for
an interaction) and checked against the shapes Slack sends (`bot.slack.payloads`): anything unreadable or not shaped
like Slack's is refused with 400, never a 500. A body over the server's limit is refused with 413 before it is read
in full.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.inbox_intake import Inbox
from bot.runtime import Runtime
from bot.slack.app import build_bolt_app
from bot.slack.body import read_body
from bot.slack.events import SLACK, SlackEvents, is_event, store_event
from bot.slack.payloads import slack_shaped
from bot.slack.turn import SlackBot
from scheduler.outbox_worker import OutboxWorker

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
SIGNATURE_MAX_AGE_SECONDS = 300
BOLT_APP_KEY = web.AppKey("slack_bolt_app", AsyncApp)
SLACK_BOT_KEY = web.AppKey("slack_bot", SlackBot)


def mount_slack(app: web.Application, runtime: Runtime, worker: OutboxWorker, inbox: Inbox) -> None:
    """Build the Bolt app and the inbox's Slack processor; serve them over HTTP unless Socket Mode is configured."""
    bolt_app, bot = build_bolt_app(runtime, worker)
    app[BOLT_APP_KEY] = bolt_app
    app[SLACK_BOT_KEY] = bot
    inbox.worker.processors[SLACK] = SlackEvents(bot)
    app.on_cleanup.append(lambda _app: bot.enricher.stop())
    if runtime.settings.slack_app_token:
        return

    secret = runtime.settings.slack_signing_secret.strip()

    async def slack_events(request: web.Request) -> web.Response:
        raw = await request.read()
        if not secret or not signed(secret, raw, request.headers):
            return web.json_response({"error": "invalid signature"}, status=401)
        body = read_body(raw, request.headers.get("Content-Type"))
        if body is None or not slack_shaped(body):
            log.warning("Slack request refused: payload unreadable or not shaped like Slack's")
            return web.json_response({"error": "malformed payload"}, status=400)
        if is_event(body):
            if await store_event(inbox.intake, body, runtime.policy.kudos_emoji, raw):
                return web.Response(status=200)
            return web.json_response({"error": "not stored, send again"}, status=503)
        bolt_response = await bolt_app.async_dispatch(bolt_request(body, request))
        return await to_aiohttp_response(bolt_response)

    app.router.add_post(SLACK_PATH, slack_events)


def bolt_request(body: dict[str, Any], request: web.Request) -> AsyncBoltRequest:
    """Bolt's request for a body already read: handed over as JSON, so Bolt never applies its own form reader."""
    headers: dict[str, str | Sequence[str]] = {key.lower(): value for key, value in request.headers.items()}
    headers["content-type"] = "application/json"
    return AsyncBoltRequest(body=json.dumps(body), query=request.query_string, headers=headers)


def signed(secret: str, raw: bytes, headers: Mapping[str, str], *, now: float | None = None) -> bool:
    """Slack's v0 signature over these exact bytes, made less than five minutes ago; anything odd is unsigned.

    Computed on the bytes as received (slack_sdk's verifier decodes them first, so a body that is not UTF-8 would
    be refused as unsigned when it is signed, and decoded before being trusted).
    """
    timestamp, signature = headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not signature.isascii():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > SIGNATURE_MAX_AGE_SECONDS:
        return False
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={digest}", signature)
