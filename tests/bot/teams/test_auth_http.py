"""With an app id, `/api/messages` only accepts Bot Framework-signed activities; without one, only when allowed."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
import requests
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.runtime import open_runtime
from tests.bot.teams.conftest import TeamsApp, teams_settings
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector

APP_ID = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail any attempt to reach Microsoft (OpenID metadata, token endpoints) instead of waiting on the network."""
    attempts: list[str] = []

    def refuse(self: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        attempts.append(url)
        raise requests.ConnectionError(f"test: no network to {url}")

    monkeypatch.setattr(requests.Session, "request", refuse)
    return attempts


@pytest.fixture
async def secured(
    database_url: str, monkeypatch: pytest.MonkeyPatch, connector: FakeBotConnector, no_internet: list[str]
) -> AsyncIterator[TeamsApp]:
    settings = teams_settings(database_url, monkeypatch, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="secret")
    assert settings.teams_enabled and not settings.teams_auth_disabled
    async with open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            yield TeamsApp(client=client, runtime=runtime, connector=connector)


def forged_token(issuer: str) -> str:
    claims = {"iss": issuer, "aud": APP_ID, "serviceurl": "http://127.0.0.1/", "exp": 4102444800}
    return jwt.encode(claims, "not-microsoft-" * 4, algorithm="HS256")


async def test_an_unsigned_or_forged_activity_gets_401_and_reaches_nothing(
    secured: TeamsApp, no_internet: list[str]
) -> None:
    activity = ta.channel_message("help", service_url=secured.connector.service_url)
    assert await secured.post(activity) == 401
    assert await secured.post(activity, Authorization="Bearer not-a-token") == 401
    assert await secured.post(activity, Authorization="Basic dXNlcjpwYXNz") == 401
    assert await secured.post(activity, Authorization=f"Bearer {forged_token('https://evil.example')}") == 401
    assert secured.connector.records == [] and no_internet == []


async def test_a_token_that_needs_microsoft_s_keys_is_not_accepted_while_they_cannot_be_fetched(
    secured: TeamsApp, no_internet: list[str]
) -> None:
    activity = ta.channel_message("help", service_url=secured.connector.service_url)
    status = await secured.post(activity, Authorization=f"Bearer {forged_token('https://api.botframework.com')}")
    assert status == 401 and secured.connector.records == []


async def test_the_unauthenticated_switch_is_ignored_when_an_app_id_is_set(
    database_url: str, monkeypatch: pytest.MonkeyPatch, connector: FakeBotConnector, no_internet: list[str]
) -> None:
    settings = teams_settings(database_url, monkeypatch, MICROSOFT_APP_ID=APP_ID, TEAMS_ALLOW_UNAUTHENTICATED="true")
    async with open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            app = TeamsApp(client=client, runtime=runtime, connector=connector)
            assert await app.post(ta.personal_message("help", service_url=connector.service_url)) == 401


async def test_unauthenticated_mode_warns_at_start(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = teams_settings(database_url, monkeypatch)
    with caplog.at_level(logging.WARNING, logger="bot.teams.http"):
        async with open_runtime(settings) as runtime:
            build_app(runtime, background=False)
    assert any("UNAUTHENTICATED" in record.getMessage() for record in caplog.records)


async def test_without_app_id_or_switch_teams_is_off(settings: Any) -> None:
    assert not settings.teams_enabled
    async with open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            assert (await client.post("/api/messages", json={"type": "message"})).status in (404, 405)


async def test_malformed_requests_are_refused_cleanly(teams_app: TeamsApp) -> None:
    client = teams_app.client
    assert (await client.post("/api/messages", data=b"{", headers={"Content-Type": "application/json"})).status == 400
    assert (await client.post("/api/messages", data=b"x", headers={"Content-Type": "text/plain"})).status == 415
    assert (await client.post("/api/messages", json={"text": "no type"})).status == 400


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"type": "message"}', "application/json; charset=x-bravo-unknown", 415),
        (b'{"type": "message", "text": "caf\xe9"}', "application/json; charset=utf-8", 400),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b'{"type": "message", "value": ' + b'{"a": ' * 30_000 + b"1" + b"}" * 30_001, "application/json", 400),
    ],
    ids=["unknown-charset", "not-utf-8", "nested-brackets", "nested-objects"],
)
async def test_a_body_bravo_cannot_read_gets_a_4xx_not_a_500(
    teams_app: TeamsApp, body: bytes, content_type: str, status: int
) -> None:
    response = await teams_app.client.post("/api/messages", data=body, headers={"Content-Type": content_type})
    assert response.status == status
