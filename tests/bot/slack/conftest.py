"""A running Bravo (HTTP) wired to a local fake Slack Web API, and signed requests into `/slack/events`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import INBOX_KEY, WORKER_KEY, build_app
from bot.config import Settings, load_settings
from bot.runtime import Runtime, open_runtime
from bot.slack.http import SLACK_PATH
from bot.slack.sender import SlackSender
from storage import inbox
from storage.db import Database
from tests.conftest import TEST_SECRET_KEY
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import post_signed
from tests.fakes.slack_workspace import make_user

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
RECOGNITION_CHANNEL = "C_KUDOS"
PATIENT_SECONDS = 60.0
# How many times `settle` looks at the inbox before giving up (a bound, not a timing the test asserts).
INBOX_POLLS = 500


@dataclass
class SlackBravo:
    """Bravo under test: post signed requests, drain the outbox, read what reached the fake Slack."""

    client: TestClient[web.Request, web.Application]
    api: FakeSlackApi
    app: web.Application
    runtime: Runtime

    async def post(
        self, body_and_type: tuple[str, str], *, retry_num: int | None = None, timestamp: int | None = None
    ) -> tuple[int, str, float]:
        """Send like Slack does; returns (status, body, seconds until Bravo answered)."""
        body, content_type = body_and_type
        url = str(self.client.make_url(SLACK_PATH))
        started = time.monotonic()
        status, text = await post_signed(
            self.client.session, url, body, content_type, SECRET, retry_num=retry_num, timestamp=timestamp
        )
        return status, text, time.monotonic() - started

    async def drain(self) -> int:
        return await self.app[WORKER_KEY].drain()

    async def settle(self) -> int:
        """Let the inbox worker process every stored event, then deliver what it queued (the outbox)."""
        await self.app[INBOX_KEY].worker.drain()
        for _ in range(INBOX_POLLS):
            async with self.runtime.database.sessions() as session:
                if (await inbox.stats(session)).pending == 0:
                    break
            await asyncio.sleep(0.01)
        return await self.drain()

    def posts_to(self, channel: str) -> list[dict[str, Any]]:
        return [call.args for call in self.api.calls_to("chat.postMessage") if call.args.get("channel") == channel]


def slack_settings(database_url: str, api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch, **extra: str) -> Settings:
    for name in ("SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "TEAMS_ALLOW_UNAUTHENTICATED"):
        monkeypatch.delenv(name, raising=False)
    values = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api.base_url,
        "BRAVO_RECOGNITION_CHANNEL": RECOGNITION_CHANNEL,
        "BRAVO_SECRET_KEY": TEST_SECRET_KEY,
        **extra,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return load_settings(_env_file=None)


@asynccontextmanager
async def open_sender(
    database_url: str, api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackSender]:
    """The outbox's Slack sender against `api`, its pooled connections closed afterwards."""
    settings = slack_settings(database_url, api, monkeypatch)
    sender = SlackSender(Runtime(settings=settings, database=Database(database_url), policy=settings.policy()))
    try:
        yield sender
    finally:
        await sender.aclose()


@pytest.fixture
async def sender(
    database_url: str, fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackSender]:
    """The outbox's Slack sender against the `fake_slack` workspace."""
    async with open_sender(database_url, fake_slack, monkeypatch) as sender:
        yield sender


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        api.users["U1"] = make_user("U1", "alice", real_name="Alice Martin", tz="Europe/Paris", locale="en-GB")
        api.users["U2"] = make_user("U2", "bob", real_name="Bob Smith", tz="Europe/London", locale="en-GB")
        api.users["U3"] = make_user("U3", "claire", real_name="Claire Petit", tz="Europe/Paris", locale="fr-FR")
        api.users["U4"] = make_user("U4", "david", real_name="David Chen", tz="America/New_York", locale="en-US")
        api.users["UBOT2"] = make_user("UBOT2", "deploybot", real_name="Deploy Bot", is_bot=True)
        yield api


@pytest.fixture
async def bravo(
    database_url: str, fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackBravo]:
    settings = slack_settings(database_url, fake_slack, monkeypatch)
    # Tests read answers in the acknowledgement however busy the machine: the late path is tested on purpose
    # (tests/bot/slack/test_late_answers.py sets its own budget).
    settings.answer_seconds = PATIENT_SECONDS
    async with open_runtime(settings) as runtime:
        app = build_app(runtime, background=False)
        async with TestClient(TestServer(app)) as client:
            yield SlackBravo(client=client, api=fake_slack, app=app, runtime=runtime)
