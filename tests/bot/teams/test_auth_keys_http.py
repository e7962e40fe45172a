"""With Microsoft's key endpoint slow or stalled, Bravo keeps serving: `/healthz` answers, forged tokens get 401.

botbuilder's channel validation reads its OpenID metadata URL from `ChannelValidation.open_id_metadata_endpoint`;
here it points at a local `KeyServer` that publishes one key and can hold every request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
import requests
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import ChannelValidation

from bot.app import build_app
from bot.runtime import open_runtime
from bot.teams import signing_keys
from bot.teams.signing_keys import FetchRules
from tests.bot.teams.conftest import TeamsApp, teams_settings
from tests.bot.teams.keyserver import KeyServer, new_key, signed_token
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector

APP_ID = "11111111-2222-3333-4444-555555555555"
STALL_SECONDS = 5.0


@pytest.fixture
def local_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Only 127.0.0.1 can be reached (the key server); Microsoft's token endpoints fail at once."""
    reach = requests.Session.request
    refused: list[str] = []

    def request(self: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if urlsplit(url).hostname == "127.0.0.1":
            return reach(self, method, url, *args, **kwargs)
        refused.append(url)
        raise requests.ConnectionError(f"test: no network to {url}")

    monkeypatch.setattr(requests.Session, "request", request)
    return refused


@pytest.fixture
async def keys(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[KeyServer]:
    async with KeyServer() as server:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", server.metadata_url)
        monkeypatch.setattr(signing_keys, "RULES", FetchRules(timeout=2 * STALL_SECONDS, wait=0.3))
        yield server


@pytest.fixture
async def secured(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    connector: FakeBotConnector,
    keys: KeyServer,
    local_only: list[str],
) -> AsyncIterator[TeamsApp]:
    settings = teams_settings(database_url, monkeypatch, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="secret")
    async with open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            yield TeamsApp(client=client, runtime=runtime, connector=connector)


def message(app: TeamsApp) -> dict[str, Any]:
    return ta.personal_message("help", service_url=app.connector.service_url)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_signed_with_a_published_key_is_accepted_and_still_is_while_microsoft_stalls(
    secured: TeamsApp, keys: KeyServer
) -> None:
    activity = message(secured)
    assert await secured.post(activity, **bearer(keys.token(app_id=APP_ID, service_url=activity["serviceUrl"]))) == 201
    assert keys.requests == 2  # the metadata, then the keys it names
    keys.stall_seconds = STALL_SECONDS
    again = message(secured)
    assert await secured.post(again, **bearer(keys.token(app_id=APP_ID, service_url=again["serviceUrl"]))) == 201
    forged = signed_token(new_key(), keys.kid, app_id=APP_ID, service_url=again["serviceUrl"])
    assert await secured.post(message(secured), **bearer(forged)) == 401
    assert keys.requests == 2


async def test_with_a_stalled_key_server_healthz_answers_within_a_second_and_forged_tokens_are_refused(
    secured: TeamsApp, keys: KeyServer
) -> None:
    keys.stall_seconds = STALL_SECONDS
    activity = message(secured)
    forged = signed_token(new_key(), "not-a-microsoft-key", app_id=APP_ID, service_url=activity["serviceUrl"])
    refused = asyncio.create_task(secured.post(activity, **bearer(forged)))
    await keys.wait_until(lambda: keys.requests >= 1, 5, lambda: "the key server was never asked")
    health = await asyncio.wait_for(secured.client.get("/healthz"), timeout=1.0)
    assert health.status == 200 and keys.answered == 0
    assert await refused == 401 and keys.answered == 0
    assert await secured.post(message(secured), **bearer(forged)) == 401
    unsigned = jwt.encode({"iss": "https://api.botframework.com", "aud": APP_ID}, key=None, algorithm="none")
    assert await secured.post(message(secured), **bearer(unsigned)) == 401
    assert keys.requests == 1 and keys.answered == 0 and secured.connector.records == []
