"""A real `bravo run` for the late-answer crash tests: a fresh database with a few people, the fake Slack Web API,
and every answer "late" (`BRAVO_ANSWER_SECONDS=0`), so each one goes through the outbox and a kill can fall between
"Working on it…" and the answer reaching Slack."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.org import Scale, load_organisation
from bench.processes import SIGNING_SECRET
from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import sign, slash_command
from tests.soak.checks import PENDING
from tests.soak.harness import Server, environment, fresh_database, scalar

PEOPLE = 6
DRAIN_SECONDS = 30.0


async def seed_people(url: str) -> None:
    """The benchmark's organisation, small: people `U0000001`… in two teams, no kudos yet."""
    database = Database(url)
    try:
        await load_organisation(database, Scale(people=PEOPLE, teams=2, kudos=0, pulse_answers=0))
    finally:
        await database.dispose()


@dataclass
class LateRun:
    """One crash test's world: the database's URL, the fake Slack, and Bravo (started by the test)."""

    url: str
    api: FakeSlackApi
    server: Server

    async def post(self, body: str) -> tuple[int, str]:
        """A signed Slack request (a slash command or an interaction) to Bravo; its status and body."""
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, SIGNING_SECRET)}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.server.url, data=body, headers=headers) as response,
        ):
            return response.status, await response.text()

    async def start_with_a_late_command(self, trigger_id: str) -> None:
        """Start Bravo and send it `/kudos` from person 1 to person 2: said "Working on it…", its answer queued for
        the command's `response_url` (at the fake Slack)."""
        body, _ = slash_command(
            "/kudos",
            "<@U0000002|person2> thanks for the release #teamwork",
            user_id="U0000001",
            trigger_id=trigger_id,
            response_url=self.api.base_url + "response_url",
        )
        await self.server.start_healthy()
        status, text = await self.post(body)
        assert status == 200 and "Working on it" in text, text

    async def drained(self) -> None:
        """Wait until the outbox holds nothing pending: the restarted worker sent, or found in Slack, everything."""
        database = Database(self.url)
        try:
            deadline = time.monotonic() + DRAIN_SECONDS
            while (left := await scalar(database, PENDING)) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert left == 0, f"{left} deliveries still pending {DRAIN_SECONDS:.0f}s after the restart"
        finally:
            await database.dispose()


@asynccontextmanager
async def late_run(engine: str, folder: Path) -> AsyncIterator[LateRun]:
    """The world of one test on `engine`; a failure carries Bravo's log, and Bravo is stopped whatever happens."""
    async with fresh_database(engine, folder) as url, FakeSlackApi(threaded=True) as api:
        await seed_people(url)
        server = Server(["run"], {}, folder / "bravo.log")
        server.environment = environment(url, api, port=server.port, BRAVO_ANSWER_SECONDS="0")
        try:
            yield LateRun(url, api, server)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{server.output()}") from None
        finally:
            server.stop()
