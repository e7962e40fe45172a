"""What operators see: `GET /metrics` in Prometheus format (requests by route and status, the acknowledgement
latency histogram, outbox depth and failures, scheduler job runs and scheduled posts) and JSON log lines whenever
standard error is not a terminal."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import sys
import time
from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.config import Settings
from bot.logs import configure_logging
from bot.metrics import METRICS_KEY
from bot.runtime import open_runtime
from handlers.delivery import channel_delivery, queue
from handlers.messages import text_card
from scheduler import jobs as jobs_module
from scheduler.jobs import ScheduledJobs
from storage import outbox
from tests.bot.slack.conftest import SlackBravo
from tests.fakes.slack_requests import slash_command
from tests.scheduler.support import config


def sample(body: str, name: str, **labels: str) -> float | None:
    """The value of one sample in a Prometheus text exposition, or None when absent."""
    for line in body.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        match = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if match is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if found == labels:
            return float(match.group(2))
    return None


async def metrics(bravo: SlackBravo) -> str:
    response = await bravo.client.get("/metrics")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
    return await response.text()


async def test_requests_are_counted_by_route_and_status_with_their_ack_latency(bravo: SlackBravo) -> None:
    await bravo.post(slash_command("/kudos", "<@U2|bob> thanks for the release", user_id="U1"))
    await bravo.post(slash_command("/help", "", user_id="U1"))
    await bravo.post(slash_command("/help", "", user_id="U1"), timestamp=int(time.time()) - 3600)
    await bravo.client.get("/healthz")
    body = await metrics(bravo)
    assert sample(body, "bravo_http_requests_total", route="/slack/events", status="200") == 2
    assert sample(body, "bravo_http_requests_total", route="/slack/events", status="401") == 1
    assert sample(body, "bravo_http_requests_total", route="/healthz", status="200") == 1
    assert sample(body, "bravo_http_ack_seconds_count", route="/slack/events") == 3
    assert sample(body, "bravo_http_ack_seconds_bucket", route="/slack/events", le="3.0") == 3
    assert sample(body, "bravo_http_ack_seconds_bucket", route="/slack/events", le="+Inf") == 3
    total = sample(body, "bravo_http_ack_seconds_sum", route="/slack/events")
    assert total is not None and 0 < total < 3


async def test_outbox_depth_and_failures_are_exposed(bravo: SlackBravo) -> None:
    bravo.api.fail_next("chat.postMessage", "channel_not_found")
    async with bravo.runtime.database.transaction() as session:
        for channel in ("CGONE", "COK"):
            await queue(
                session, [channel_delivery(platform="slack", channel=channel, card=text_card("hi"), kind="post")]
            )
    body = await metrics(bravo)
    assert sample(body, "bravo_outbox_pending") == 2 and sample(body, "bravo_outbox_failed") == 0
    await bravo.drain()
    async with bravo.runtime.database.sessions() as session:
        stats = await outbox.stats(session)
    body = await metrics(bravo)
    assert (sample(body, "bravo_outbox_pending"), sample(body, "bravo_outbox_failed")) == (0, stats.failed) == (0, 1)
    assert sample(body, "bravo_outbox_sent") == 1


async def test_job_runs_and_scheduled_posts_are_counted(bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = bravo.runtime
    hook = bravo.app[METRICS_KEY].job_ran
    jobs = ScheduledJobs(runtime.database, config(), runtime.policy, owner="test", on_run=hook)
    await jobs.tick()
    await jobs.pulses()

    async def broken(*_args: object, **_kwargs: object) -> list[object]:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(jobs_module, "send_digests", broken)
    await jobs.tick()
    body = await metrics(bravo)
    assert sample(body, "bravo_job_runs_total", job="tick", outcome="ok") == 1
    assert sample(body, "bravo_job_runs_total", job="tick", outcome="failed") == 1
    assert sample(body, "bravo_job_runs_total", job="pulses", outcome="ok") == 1
    last = sample(body, "bravo_job_last_run_timestamp_seconds", job="tick")
    assert last is not None and abs(last - time.time()) < 60
    assert "bravo_scheduled_posts" in body


async def test_the_running_server_reports_its_scheduler_s_runs(settings: Settings) -> None:
    """The app wires the scheduler's hook to its metrics: the first tick at start shows up."""
    async with open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime))) as client:
            for _ in range(100):
                body = await (await client.get("/metrics")).text()
                if sample(body, "bravo_job_runs_total", job="tick", outcome="ok"):
                    break
                await asyncio.sleep(0.05)
            assert sample(body, "bravo_job_runs_total", job="tick", outcome="ok") == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_logs_are_json_lines_when_stderr_is_not_a_terminal(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging("INFO")
    log = logging.getLogger("scheduler.outbox_worker")
    log.warning("delivery %s (%s) failed for good: %s", 7, "post", "channel_not_found", extra={"delivery": 7})
    log.debug("not shown at INFO")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("bot.teams.http").exception("Teams activity %s failed", "a1")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 2
    first, second = lines
    assert first["level"] == "warning" and first["logger"] == "scheduler.outbox_worker"
    assert first["message"] == "delivery 7 (post) failed for good: channel_not_found" and first["delivery"] == 7
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", first["time"])
    assert second["level"] == "error" and "ValueError: boom" in second["error"]


def test_logs_are_readable_lines_on_a_terminal(restore_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging("INFO")
    logging.getLogger("bot.app").info("listening on %s", 3000)
    (line,) = stream.getvalue().splitlines()
    assert line.endswith("INFO bot.app: listening on 3000") and not line.startswith("{")
