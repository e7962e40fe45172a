"""Teams test plumbing: a local Bot Connector, Bravo's app serving `/api/messages`, and helpers to post activities."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import WORKER_KEY, build_app
from bot.config import Settings, load_settings
from bot.runtime import Runtime, open_runtime
from bot.teams.http import TEAMS_BOT_KEY
from handlers.directory import DirectoryRow, import_directory
from handlers.i18n import Translator
from scheduler.outbox_worker import OutboxWorker
from tests.conftest import TEST_SECRET_KEY
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector

JsonDict = dict[str, Any]


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    async with FakeBotConnector() as fake:
        yield fake


def teams_settings(database_url: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    """Settings with Teams on and nothing else; `env` adds or overrides variables."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TEAMS_ALLOW_UNAUTHENTICATED", "true")
    monkeypatch.setenv("BRAVO_SECRET_KEY", TEST_SECRET_KEY)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings(_env_file=None)


@dataclass
class TeamsApp:
    """Bravo's HTTP app under test, with its runtime and outbox worker."""

    client: TestClient[Any, Any]
    runtime: Runtime
    connector: FakeBotConnector

    @property
    def worker(self) -> OutboxWorker:
        return self.client.app[WORKER_KEY]  # type: ignore[index]

    async def described(self) -> None:
        """Wait for the background descriptions of the people the activities so far introduced."""
        await self.client.app[TEAMS_BOT_KEY].enricher.drain()  # type: ignore[index]

    async def post(self, activity: JsonDict, **headers: str) -> int:
        response = await self.client.post("/api/messages", json=activity, headers=headers)
        await response.read()
        return response.status

    async def import_people(self, *rows: tuple[str, str, str], language: str = "", manager: str = "") -> None:
        """Directory rows (email, name, team); everyone but the manager reports to `manager`."""
        entries = [
            DirectoryRow(
                line=n + 2,
                email=e,
                name=name,
                team=team,
                manager_email=manager if manager != e else "",
                timezone="",
                language=language,
            )
            for n, (e, name, team) in enumerate(rows)
        ]
        async with self.runtime.database.transaction() as session:
            await import_directory(session, entries, Translator("en"))


@asynccontextmanager
async def serving(settings: Settings, connector: FakeBotConnector) -> AsyncIterator[TeamsApp]:
    """Bravo's app on `settings`, talking to `connector`."""
    async with open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            yield TeamsApp(client=client, runtime=runtime, connector=connector)


@asynccontextmanager
async def acme_on(settings: Settings, connector: FakeBotConnector, **aad: str) -> AsyncIterator[TeamsApp]:
    """Alice and Bob in the directory and in Teams' roster (same emails); `aad` fixes a roster AAD id by first name."""
    connector.members = [
        ta.roster_member("Alice Smith", email="alice@acme.example", aad_object_id=aad.get("alice")),
        ta.roster_member("Bob Jones", email="bob@acme.example", aad_object_id=aad.get("bob")),
    ]
    async with serving(settings, connector) as app:
        await app.import_people(
            ("alice@acme.example", "Alice Smith", "Engineering"), ("bob@acme.example", "Bob Jones", "Platform")
        )
        yield app


@pytest.fixture
async def teams_app(
    database_url: str, monkeypatch: pytest.MonkeyPatch, connector: FakeBotConnector
) -> AsyncIterator[TeamsApp]:
    async with serving(teams_settings(database_url, monkeypatch), connector) as app:
        yield app
