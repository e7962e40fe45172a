"""The HTTP server answers health checks once the database is reachable."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.config import Settings
from bot.runtime import open_runtime


async def test_healthz_is_ok_with_a_reachable_database(settings: Settings) -> None:
    async with open_runtime(settings) as runtime, TestClient(TestServer(build_app(runtime))) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_healthz_is_503_when_the_database_is_down(settings: Settings) -> None:
    async with open_runtime(settings) as runtime:
        runtime.database.ping = _down  # type: ignore[method-assign]
        async with TestClient(TestServer(build_app(runtime))) as client:
            assert (await client.get("/healthz")).status == 503


async def _down() -> bool:
    return False
