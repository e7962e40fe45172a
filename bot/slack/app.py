"""The Bolt `AsyncApp`: Bravo's listeners on a client pointed at `SLACK_API_URL`.

Bolt verifies every HTTP request's signature (forged or older than five minutes: 401) before a listener runs.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.runtime import Runtime
from bot.slack.client import web_client
from bot.slack.listeners import register_all
from bot.slack.turn import SlackBot
from scheduler.outbox_worker import OutboxWorker


class _SameTokenWarning(logging.Filter):
    """Bolt also reads `SLACK_BOT_TOKEN` from the environment and warns that the client's token wins: it is the
    same token, so the warning says nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(existing, _SameTokenWarning) for existing in logger.filters):
        logger.addFilter(_SameTokenWarning())
    return logger


def build_bolt_app(runtime: Runtime, worker: OutboxWorker) -> tuple[AsyncApp, SlackBot]:
    """The Bolt app and the shared state its listeners use."""
    client = web_client(runtime.settings)
    secret = runtime.settings.slack_signing_secret
    app = AsyncApp(
        client=client,
        signing_secret=secret,
        logger=_bolt_logger(),
        # `POST /slack/events` checks the signature before Bolt sees the body (bot.slack.http); Socket Mode has none.
        request_verification_enabled=not secret.strip(),
    )
    bot = SlackBot(runtime=runtime, worker=worker, client=client)
    register_all(app, bot)
    return app, bot
