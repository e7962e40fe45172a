"""`POST /slack/events` on the shared aiohttp server: events, slash commands and interactivity at one URL.

The aiohttp request becomes Bolt's neutral request, Bolt dispatches it (verifying the signature first) and its
response goes back as is; when `SLACK_APP_TOKEN` is set, Socket Mode carries the same requests instead.
"""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.runtime import Runtime
from bot.slack.app import build_bolt_app
from bot.slack.turn import SlackBot
from scheduler.outbox_worker import OutboxWorker

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

    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await bolt_app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    app.router.add_post(SLACK_PATH, slack_events)
