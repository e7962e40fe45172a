"""The HTTP server answers health checks once the database is reachable."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.app import INBOX_KEY, WORKER_KEY, build_app
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from storage.db import Database


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


async def test_metrics_count_requests_and_show_the_outbox(settings: Settings) -> None:
    async with open_runtime(settings) as runtime:
        app = build_app(runtime, background=False)
        async with TestClient(TestServer(app)) as client:
            await client.get("/healthz")
            await client.get("/no-such-page")
            body = await (await client.get("/metrics")).text()
    assert 'bravo_http_requests_total{route="/healthz",status="200"} 1.0' in body
    assert 'bravo_http_requests_total{route="unmatched",status="404"} 1.0' in body
    assert "bravo_outbox_pending 0.0" in body
    assert "bravo_http_ack_seconds_bucket" in body


async def test_metrics_answer_while_the_database_is_down_and_say_so(settings: Settings) -> None:
    """A real outage (nothing listens on the port): `/metrics` still answers 200, with `bravo_database_up 0`, and
    `/healthz` keeps its documented 503."""
    down = Database("postgresql+asyncpg://bravo@127.0.0.1:1/bravo")
    runtime = Runtime(settings=settings, database=down, policy=settings.policy())
    try:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            response = await client.get("/metrics")
            assert response.status == 200
            body = await response.text()
            assert "bravo_database_up 0.0" in body
            assert 'bravo_http_requests_total{route="/metrics",status="200"}' not in body  # counted after answering
            assert (await client.get("/healthz")).status == 503
    finally:
        await down.dispose()


async def test_metrics_report_the_database_up_when_it_answers(settings: Settings) -> None:
    async with open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            body = await (await client.get("/metrics")).text()
    assert "bravo_database_up 1.0" in body


async def test_the_privacy_and_terms_pages_the_teams_manifest_links_to_are_served_in_both_languages(
    settings: Settings,
) -> None:
    async with open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            privacy = await client.get("/privacy")
            terms = await client.get("/terms")
            privacy_text, terms_text = await privacy.text(), await terms.text()
    assert privacy.status == terms.status == 200 and privacy.content_type == "text/html"
    assert "What Bravo stores about you, and why" in privacy_text
    assert "Ce que Bravo conserve sur vous, et pourquoi" in privacy_text
    assert "Bravo: terms of use" in terms_text and "Bravo : conditions d&#x27;utilisation" in terms_text


async def test_the_outbox_holds_notifications_while_the_inbox_worker_has_a_backlog(settings: Settings) -> None:
    async with open_runtime(settings) as runtime:
        app = build_app(runtime, background=False)
        assert app[INBOX_KEY].worker.backlogged in app[WORKER_KEY].incoming
