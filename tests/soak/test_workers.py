"""`BRAVO_WORKERS=2`: two server processes share the port, every kudos is stored once, and they stop together."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bench.ingest import kudos_request
from bench.processes import children_of
from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.soak.harness import (
    ENGINES,
    Request,
    Server,
    environment,
    fire,
    fresh_database,
    scalar,
    slack_resend,
    wait_for,
)
from tests.soak.kudos_crash import PEOPLE, seed_directory

REQUESTS = 120


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.parametrize("engine", ENGINES)
async def test_two_workers_share_the_port_store_each_kudos_once_and_stop_with_the_first(
    engine: str, tmp_path: Path
) -> None:
    async with fresh_database(engine, tmp_path) as url, FakeSlackApi(threaded=True) as api:
        await seed_directory(url)
        server = Server(["run"], {}, tmp_path / "bravo.log")
        server.environment = environment(url, api, port=server.port, BRAVO_WORKERS="2")
        try:
            await server.start_healthy()
            assert server.process is not None
            parent = server.process.pid
            await wait_for(lambda: len(children_of(parent)) == 1, timeout=30, what=lambda: "the second process")
            (worker,) = children_of(parent)
            await asyncio.sleep(3)  # the worker binds the shared port once its start-up is done

            def build(index: int, attempt: int) -> Request:
                return slack_resend(server.url, kudos_request(index, PEOPLE, "workers"), attempt)

            answers = await fire(list(range(REQUESTS)), build, concurrency=20)
            assert all(outcome.acknowledged for outcome in answers.values()), server.output()
            again = await fire(list(range(10)), build, concurrency=10, attempt=1)
            assert all(outcome.acknowledged for outcome in again.values())
            database = Database(url)
            try:
                assert await scalar(database, "SELECT count(*) FROM kudos") == REQUESTS
                assert await scalar(database, "SELECT count(DISTINCT idempotency_key) FROM kudos") == REQUESTS
            finally:
                await database.dispose()

            server.kill()  # SIGKILL: the first process has no chance to stop its worker
            await wait_for(
                lambda: not alive(worker), timeout=15, what=lambda: "the worker to stop with the first process"
            )
        finally:
            server.stop()
