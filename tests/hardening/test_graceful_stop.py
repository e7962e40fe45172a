"""A real `bravo run` sent SIGTERM (what an orchestrator sends before SIGKILL) or SIGINT (Ctrl-C) while a delivery is
on its way to Slack: the process finishes it, records it as sent, and exits with status 0; nothing is left to deliver
or to send again."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from bench.ingest import count_kudos
from storage.db import Database
from tests.hardening.late_crash import late_run
from tests.soak.checks import PENDING
from tests.soak.harness import ENGINES, scalar

SLACK_ANSWERS_AFTER = 2.0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("engine", ENGINES)
async def test_a_stop_finishes_the_delivery_under_way_then_exits_cleanly(
    engine: str, stop: signal.Signals, tmp_path: Path
) -> None:
    async with late_run(engine, tmp_path) as run:
        api, server = run.api, run.server
        api.delay("response_url", SLACK_ANSWERS_AFTER)  # the answer is on its way when the stop is asked
        await run.start_with_a_late_command("stop.1")
        await api.wait_for("response_url", timeout=20)
        assert server.process is not None
        server.process.send_signal(stop)
        assert await server.finish(timeout=30) == 0
        assert "Bravo stopped" in server.output()
        assert len(api.calls_to("response_url")) == 1
        database = Database(run.url)
        try:
            assert await scalar(database, PENDING) == 0  # recorded as sent: a restart would not send it again
        finally:
            await database.dispose()
        assert await count_kudos(run.url) == 1
