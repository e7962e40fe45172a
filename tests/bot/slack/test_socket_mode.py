"""With `SLACK_APP_TOKEN`, requests come over Socket Mode: no HTTP route, the same Bolt app connected at start."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.request import SocketModeRequest

from bot import serve
from bot.app import INBOX_KEY, build_app
from bot.runtime import open_runtime
from bot.slack.http import BOLT_APP_KEY, SLACK_PATH
from bot.slack.socket_mode import InboxSocketModeHandler
from tests.bot.slack.conftest import slack_settings
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import event_callback, reaction_added_event


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

    async def fake_start(bolt_app: Any, app_token: str, intake: Any, emoji: str) -> str:
        assert emoji == "clap"
        assert intake is app[INBOX_KEY].intake
        started.append((bolt_app, app_token))
        return "handler"

    monkeypatch.setattr("bot.slack.socket_mode.start_socket_mode", fake_start)
    async with open_runtime(settings) as runtime:
        app = build_app(runtime, background=False)
        assert SLACK_PATH not in _routes(app)
        assert await serve._start_slack_socket_mode(app, runtime) == "handler"
    assert started == [(app[BOLT_APP_KEY], "xapp-1-test")]


class _Client:
    """The Socket Mode client's one method the handler calls: the envelope acknowledgements it sent."""

    def __init__(self) -> None:
        self.acknowledged: list[str] = []

    async def send_socket_mode_response(self, response: Any) -> None:
        self.acknowledged.append(response.envelope_id)


class _Intake:
    def __init__(self, *, fails: bool) -> None:
        self.fails = fails
        self.stored: list[str] = []

    async def accept(self, delivery: Any) -> None:
        if self.fails:
            raise ConnectionRefusedError("database unreachable")
        self.stored.append(delivery.delivery_id)


def _envelope(envelope_id: str) -> SocketModeRequest:
    body = json.loads(event_callback(reaction_added_event("clap"), event_id="EvSOCK1")[0])
    return SocketModeRequest(type="events_api", envelope_id=envelope_id, payload=body)


@pytest.mark.parametrize("fails", [False, True])
async def test_an_event_envelope_is_acknowledged_only_once_stored(fails: bool) -> None:
    intake = _Intake(fails=fails)
    handler = InboxSocketModeHandler(AsyncApp(token="xoxb-test", signing_secret="s"), "xapp-1-test", intake, "clap")  # type: ignore[arg-type]
    client = _Client()
    await handler.handle(client, _envelope("env-1"))  # type: ignore[arg-type]
    assert client.acknowledged == ([] if fails else ["env-1"])
    assert intake.stored == ([] if fails else ["slack:EvSOCK1"])
