"""With `SLACK_APP_TOKEN`, requests come over Socket Mode: no HTTP route, the same Bolt app connected at start."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from bot import serve
from bot.app import INBOX_KEY, build_app
from bot.runtime import open_runtime
from bot.slack.http import BOLT_APP_KEY, SLACK_PATH
from tests.bot.slack.conftest import slack_settings
from tests.fakes.slack_api import FakeSlackApi


def _routes(app: web.Application) -> set[str]:
    return {resource.canonical for resource in app.router.resources()}


async def test_http_mode_serves_slack_events(
    database_url: str, fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = slack_settings(database_url, fake_slack, monkeypatch)
    async with open_runtime(settings) as runtime:
        assert SLACK_PATH in _routes(build_app(runtime, background=False))
        assert await serve._start_slack_socket_mode(build_app(runtime, background=False), runtime) is None


async def test_socket_mode_connects_the_same_bolt_app_instead(
    database_url: str, fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = slack_settings(database_url, fake_slack, monkeypatch, SLACK_APP_TOKEN="xapp-1-test")
    started: list[tuple[Any, str]] = []

    async def fake_start(bolt_app: Any, app_token: str, intake: Any) -> str:
        assert intake is app[INBOX_KEY].intake
        started.append((bolt_app, app_token))
        return "handler"

    monkeypatch.setattr("bot.slack.socket_mode.start_socket_mode", fake_start)
    async with open_runtime(settings) as runtime:
        app = build_app(runtime, background=False)
        assert SLACK_PATH not in _routes(app)
        assert await serve._start_slack_socket_mode(app, runtime) == "handler"
    assert started == [(app[BOLT_APP_KEY], "xapp-1-test")]
