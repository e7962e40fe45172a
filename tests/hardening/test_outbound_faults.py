"""Outbound faults injected by the local Slack look-alike, through the real `SlackSender` and `OutboxWorker`:
rate limits wait for `Retry-After`, outages and timeouts back off, permanent refusals are recorded and never hold
up other deliveries, and a pulse or a digest always arrives in the end."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.cli import build_parser
from bot.runtime import Runtime, open_runtime
from bot.slack.client import API_TIMEOUT_SECONDS, web_client
from bot.slack.sender import SlackSender
from handlers.delivery import channel_delivery, queue
from handlers.messages import text_card
from handlers.pulse import send_now
from scheduler.outbox_worker import OutboxWorker
from scheduler.runs import send_digests, settle_claims
from storage import outbox
from storage.models import OutboxMessage
from storage.models.delivery import FAILED, HELD, PENDING, SENT
from tests.bot.slack.conftest import slack_settings
from tests.bot.teams.conftest import TeamsApp
from tests.fakes import teams_activities as ta
from tests.fakes.slack_api import FakeSlackApi
from tests.scheduler.support import config, give, seed

JsonDict = dict[str, Any]


@dataclass
class Outbound:
    """The real Slack sender and outbox worker, on a clock the test moves, against the fake Slack."""

    runtime: Runtime
    api: FakeSlackApi
    sender: SlackSender
    worker: OutboxWorker
    clock: list[datetime]

    def advance(self, seconds: float) -> None:
        self.clock[0] += timedelta(seconds=seconds)

    async def queue(self, *channels: str, kind: str = "post") -> None:
        async with self.runtime.database.transaction() as session:
            for channel in channels:
                card = text_card(f"hello {channel}")
                await queue(session, [channel_delivery(platform="slack", channel=channel, card=card, kind=kind)])
        self.catch_up()

    def catch_up(self) -> None:
        """Rows are due from the database's own "now"; the test clock never runs behind it."""
        self.clock[0] = max(self.clock[0], datetime.now(UTC))

    async def rows(self) -> dict[str, OutboxMessage]:
        """Outbox rows by channel (or person id)."""
        async with self.runtime.database.sessions() as session:
            found = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
        return {row.channel or str(row.person_id): row for row in found}

    def posted(self, channel: str) -> int:
        return sum(
            1
            for call in self.api.calls_to("chat.postMessage")
            if call.args.get("channel") == channel and not call.failed
        )


@pytest.fixture
async def outbound(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Outbound]:
    async with FakeSlackApi() as api:
        settings = slack_settings(database_url, api, monkeypatch, BRAVO_OUTBOX_CHANNEL_INTERVAL="0")
        async with open_runtime(settings) as runtime:
            sender = SlackSender(runtime)
            clock = [datetime.now(UTC)]
            worker = OutboxWorker(
                runtime.database, {"slack": sender}, clock=lambda: clock[0], secret_key=runtime.policy.secret_key
            )
            yield Outbound(runtime=runtime, api=api, sender=sender, worker=worker, clock=clock)
            await worker.aclose()


def test_the_slack_client_gives_up_on_a_silent_server_in_seconds(settings: Any) -> None:
    """A hung connection must not hold a delivery (or a listener) for long: the Web API client times out."""
    assert web_client(settings).timeout == API_TIMEOUT_SECONDS and 1 <= API_TIMEOUT_SECONDS <= 30


async def test_a_429_is_retried_after_its_retry_after(outbound: Outbound, caplog: pytest.LogCaptureFixture) -> None:
    outbound.api.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=30)
    await outbound.queue("C1")
    with caplog.at_level(logging.INFO, logger="scheduler.outbox_worker"):
        await outbound.worker.drain()
    row = (await outbound.rows())["C1"]
    assert (row.status, row.attempts, row.last_error) == (PENDING, 1, "ratelimited")
    assert any("retried in 30s: ratelimited" in record.getMessage() for record in caplog.records)
    outbound.advance(29)
    assert await outbound.worker.drain() == 0 and outbound.posted("C1") == 0
    outbound.advance(1)
    await outbound.worker.drain()
    assert (await outbound.rows())["C1"].status == SENT and outbound.posted("C1") == 1


async def test_outages_are_retried_with_growing_backoff(outbound: Outbound) -> None:
    outbound.api.fail_next("chat.postMessage", "internal_error", status=500)
    outbound.api.fail_next("chat.postMessage", "service_unavailable", status=503)
    outbound.api.fail_next("chat.postMessage", "fatal_error", status=200)
    await outbound.queue("C1")
    waits = []
    for _ in range(3):
        await outbound.worker.drain()
        row = (await outbound.rows())["C1"]
        assert row.status == PENDING
        waits.append((row.next_attempt_at.replace(tzinfo=UTC) - outbound.clock[0]).total_seconds())
        outbound.advance(waits[-1])
    assert waits == sorted(waits) and waits[0] >= 1 and waits[-1] > waits[0]
    await outbound.worker.drain()
    row = (await outbound.rows())["C1"]
    assert (row.status, row.attempts) == (SENT, 4) and outbound.posted("C1") == 1


async def test_a_timeout_is_retried(outbound: Outbound, caplog: pytest.LogCaptureFixture) -> None:
    outbound.sender.client.timeout = 1
    outbound.api.delay("chat.postMessage", 3)
    await outbound.queue("C1")
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="scheduler.outbox_worker"):
        await outbound.worker.drain()
    assert time.monotonic() - started < 2.5
    row = (await outbound.rows())["C1"]
    assert row.status == PENDING and "network" in (row.last_error or "")
    assert any("retried in" in record.getMessage() for record in caplog.records)
    outbound.api.delay("chat.postMessage", 0)
    outbound.advance(60)
    await outbound.worker.drain()
    assert (await outbound.rows())["C1"].status == SENT


# A deleted channel, a channel Bravo was removed from, an unknown person, a deactivated one: each refused for good,
# one row at a time. A refused token (invalid, of a deleted workspace) holds its row instead (test_held_deliveries).
PERMANENT = {
    "CGONE": "channel_not_found",
    "CNOTIN": "not_in_channel",
    "UNOBODY": "user_not_found",
    "ULEFT": "user_disabled",
}
HELD_FOR_THE_TOKEN = {"CAUTH": "invalid_auth", "CINACTIVE": "account_inactive"}


async def test_permanent_refusals_are_recorded_and_never_hold_up_other_deliveries(
    outbound: Outbound, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each permanent error fails its own row at once; a slow channel and a rate-limited one delay nobody else."""
    outbound.sender.client.timeout = 1
    api = outbound.api

    @api.responses_for("chat.postMessage")
    async def by_channel(args: JsonDict) -> JsonDict:
        channel = str(args.get("channel"))
        if channel in PERMANENT or channel in HELD_FOR_THE_TOKEN:
            return {"ok": False, "error": {**PERMANENT, **HELD_FOR_THE_TOKEN}[channel]}
        if channel == "CSLOW":
            await asyncio.sleep(3)
        return api.default_response("chat.postMessage", args)

    await outbound.queue(*PERMANENT, *HELD_FOR_THE_TOKEN, "CSLOW", "COK1", "COK2")
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="scheduler.outbox_worker"):
        await outbound.worker.drain()
    assert time.monotonic() - started < 2.5
    rows = await outbound.rows()
    for channel, error in PERMANENT.items():
        assert (rows[channel].status, rows[channel].last_error, rows[channel].attempts) == (FAILED, error, 1)
        assert any(f"failed for good: {error}" in record.getMessage() for record in caplog.records)
    for channel, error in HELD_FOR_THE_TOKEN.items():
        assert (rows[channel].status, rows[channel].last_error, rows[channel].attempts) == (HELD, error, 0)
    assert rows["COK1"].status == SENT and rows["COK2"].status == SENT and rows["CSLOW"].status == PENDING

    capsys.readouterr()
    args = build_parser().parse_args(["status"])
    assert await args.func(args, outbound.runtime) == 0
    shown = capsys.readouterr().out
    assert "outbox: 1 pending, 4 failed, 2 held, 2 sent" in shown
    assert all(error in shown for error in PERMANENT.values())


async def test_a_rate_limited_channel_does_not_delay_the_others(outbound: Outbound) -> None:
    outbound.api.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=60)
    await outbound.queue("CBUSY")
    await outbound.worker.drain()
    await outbound.queue("CBUSY", "COTHER")
    await outbound.worker.drain()
    assert outbound.posted("COTHER") == 1 and outbound.posted("CBUSY") == 0
    outbound.advance(61)
    await outbound.worker.drain()
    assert outbound.posted("CBUSY") == 2


async def test_a_pulse_and_the_digests_arrive_despite_every_transient_fault(
    outbound: Outbound, capsys: pytest.CaptureFixture[str]
) -> None:
    database, policy = outbound.runtime.database, outbound.runtime.policy
    now = outbound.clock[0]
    async with database.transaction() as session:
        org = await seed(session, slack=True, channels=True)
        await give(session, org["Bob"], [org["Claire"]], at=now - timedelta(hours=1), message="great review")
        await give(session, org["Grace"], [org["Hugo"]], at=now - timedelta(hours=1), message="great demo")
        await send_now(session, policy=policy, now=now)
    outcomes = await send_digests(
        database, config=config(platforms=("slack",)), policy=policy, now=now, force=True, owner="test"
    )
    assert outcomes
    async with database.sessions() as session:
        expected = (await outbox.stats(session)).pending
    assert expected >= 7
    outbound.catch_up()
    outbound.sender.client.timeout = 1
    api = outbound.api
    api.fail_next("*", "ratelimited", status=429, retry_after=5, times=2)
    api.fail_next("*", "internal_error", status=500, times=2)
    api.fail_next("*", "service_unavailable", status=503, times=2)
    api.fail_next("*", "request_timeout", status=200, times=1)
    for _ in range(40):
        await outbound.worker.drain()
        async with database.sessions() as session:
            stats = await outbox.stats(session)
        if stats.pending == 0:
            break
        outbound.advance(30)
    assert (stats.sent, stats.failed, stats.pending) == (expected, 0, 0)
    reached = {call.args["channel"] for call in api.calls_to("chat.postMessage") if not call.failed}
    assert {"UALICE", "UNOAH", "CENG", "CSALES", "UBOB", "UCLAIRE", "UGRACE"} <= reached
    await settle_claims(database, now=outbound.clock[0])
    capsys.readouterr()
    args = build_parser().parse_args(["status", "--json"])
    assert await args.func(args, outbound.runtime) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["outbox"] == {"pending": 0, "failed": 0, "held": 0, "sent": expected}
    runs = {run["job"]: run for run in status["last_job_runs"]}
    assert runs["manager_digest"]["status"] == "sent" and runs["team_digest"]["status"] == "sent"
    args = build_parser().parse_args(["status"])
    assert await args.func(args, outbound.runtime) == 0
    assert "manager_digest" in capsys.readouterr().out


async def test_a_teams_reply_that_cannot_go_out_in_its_turn_is_queued_not_a_500(
    teams_app: TeamsApp, caplog: pytest.LogCaptureFixture
) -> None:
    """Teams' pace for a busy conversation is used up: the answer waits in the outbox instead of failing the turn
    (a 500 would make Teams deliver the activity again, which then counts as done and answers nothing)."""
    connector = teams_app.connector
    user = ta.teams_user("Alice Smith")
    message = ta.personal_message("help", service_url=connector.service_url, from_user=user)
    pacer = teams_app.worker.senders["teams"].pacer  # type: ignore[attr-defined]
    busy = message["conversation"]["id"]
    pacer.clock, pacer.sleep = (lambda: 1000.0), no_sleep
    for _ in range(60):
        await pacer.reserve(busy, ta.TENANT_ID, max_wait=60)
    with caplog.at_level(logging.WARNING, logger="bot.teams.bot"):
        assert await teams_app.post(message) == 201
    assert connector.activities == [] and any("queued instead" in r.getMessage() for r in caplog.records)
    async with teams_app.runtime.database.sessions() as session:
        (row,) = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "teams_reply"))).all()
    assert row.status == PENDING
    pacer.clock = itertools.count(start=10**6, step=60).__next__
    teams_app.worker.clock = lambda: datetime.now(UTC) + timedelta(minutes=5)
    await teams_app.worker.drain()
    (late,) = connector.activities
    assert late["conversation"]["id"] == busy and "help" in json.dumps(late["attachments"]).lower()


async def no_sleep(_seconds: float) -> None:
    return None
