"""A real `bravo run` killed (SIGKILL) after it told Slack "working on it" and before the command's answer reached
its `response_url`: the restarted process delivers the answer, and the kudos counts once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.ingest import count_kudos
from tests.hardening.late_crash import late_run
from tests.soak.harness import ENGINES


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_kill_between_working_on_it_and_the_follow_up_still_delivers_it(engine: str, tmp_path: Path) -> None:
    async with late_run(engine, tmp_path) as run:
        api, server = run.api, run.server
        api.delay("response_url", 60)  # the answer reaches Slack's door and hangs there until the kill
        await run.start_with_a_late_command("crash.1")
        await api.wait_for("response_url", timeout=20)
        server.kill()
        api.delay("response_url", 0)
        await server.start_healthy()
        calls = await api.wait_for("response_url", count=2, timeout=30)
        delivered = json.dumps(calls[-1].args)
        assert "You gave 1 point" in delivered, delivered
        assert await count_kudos(run.url) == 1
