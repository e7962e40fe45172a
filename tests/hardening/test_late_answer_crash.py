"""A real `bravo run` killed (SIGKILL) after it told Slack "working on it" and before the command's answer reached
its `response_url`: the restarted process delivers the answer, and the kudos counts once."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from bench.ingest import count_kudos
from bench.org import Scale, load_organisation
from bench.processes import SIGNING_SECRET
from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import sign, slash_command
from tests.soak.harness import ENGINES, Server, environment, fresh_database

PEOPLE = 6


async def seed_people(url: str) -> None:
    database = Database(url)
    try:
        await load_organisation(database, Scale(people=PEOPLE, teams=2, kudos=0, pulse_answers=0))
    finally:
        await database.dispose()


async def post_command(server: Server, body: str) -> tuple[int, str]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, SIGNING_SECRET)}
    async with aiohttp.ClientSession() as session, session.post(server.url, data=body, headers=headers) as response:
        return response.status, await response.text()


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_kill_between_working_on_it_and_the_follow_up_still_delivers_it(engine: str, tmp_path: Path) -> None:
    async with fresh_database(engine, tmp_path) as url, FakeSlackApi(threaded=True) as api:
        await seed_people(url)
        api.delay("response_url", 60)  # the answer reaches Slack's door and hangs there until the kill
        server = Server(["run"], {}, tmp_path / "bravo.log")
        # Every command is "late": the answer always goes through the outbox to response_url.
        server.environment = environment(url, api, port=server.port, BRAVO_ANSWER_SECONDS="0")
        body, _ = slash_command(
            "/kudos",
            "<@U0000002|person2> thanks for the release #teamwork",
            user_id="U0000001",
            trigger_id="crash.1",
            response_url=api.base_url + "response_url",
        )
        try:
            await server.start_healthy()
            status, text = await post_command(server, body)
            assert status == 200 and "Working on it" in text, text
            await api.wait_for("response_url", timeout=20)
            server.kill()
            api.delay("response_url", 0)
            await server.start_healthy()
            calls = await api.wait_for("response_url", count=2, timeout=30)
            delivered = json.dumps(calls[-1].args)
            assert "You gave 1 point" in delivered, delivered
            assert await count_kudos(url) == 1
        except AssertionError as error:
            raise AssertionError(f"{error}\n{server.output()}") from None
        finally:
            server.stop()
