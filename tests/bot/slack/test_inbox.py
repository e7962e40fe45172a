"""Durable before 200: an Events API delivery is committed to the inbox before Slack gets its 200.

Before the inbox, Bolt answered 200 and ran the listener afterwards: a process that died in between lost the
reaction, and Slack never resent it. These tests kill the processing (the inbox worker never runs before the
"crash") and the database (the commit fails) and check what Slack is told and what is counted afterwards.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from bot.app import INBOX_KEY, build_app
from bot.inbox_intake import InboxIntake
from bot.runtime import open_runtime
from bot.slack.http import SLACK_PATH
from storage import inbox
from storage.db import Database
from storage.inbox import Delivery
from storage.models import Kudos
from tests.bot.slack.conftest import SECRET, SlackBravo, slack_settings
from tests.bot.test_inbox_cli import park
from tests.conftest import both_engines
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import event_callback, message_event, post_signed, reaction_added_event
from tests.fakes.slack_workspace import make_user

SETTLE_POLLS = 400
# A stuck shutdown or restart fails this test with where it was stuck, instead of holding up the suite.
TEST_SECONDS = 120


async def kudos_count(database: Database) -> int:
    async with database.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(Kudos))).one())


async def settled(database: Database, expected: int) -> int:
    """The kudos count once it reaches `expected` (or after a bounded number of looks)."""
    for _ in range(SETTLE_POLLS):
        if (count := await kudos_count(database)) >= expected:
            return count
        await asyncio.sleep(0.02)
    return await kudos_count(database)


def reaction(event_id: str, item_ts: str) -> tuple[str, str]:
    return event_callback(reaction_added_event("clap", user="U1", item_user="U2", item_ts=item_ts), event_id=event_id)


@both_engines
async def test_a_reaction_answered_200_is_counted_although_the_process_died_before_processing_it(
    database_url: str, fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_slack.delay("users.info", 60)  # processing needs Slack to answer: it stalls until the process is "killed"
    settings = slack_settings(database_url, fake_slack, monkeypatch)
    async with asyncio.timeout(TEST_SECONDS), open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            url = str(client.make_url(SLACK_PATH))
            status, _ = await post_signed(client.session, url, *reaction("EvCRASH1", "1700000000.000901"), SECRET)
        assert status == 200
        assert await kudos_count(runtime.database) == 0  # acknowledged, not yet processed: the "crash" happens here
        fake_slack.delay("users.info", 0)
        restarted = build_app(runtime, background=False)
        async with TestClient(TestServer(restarted)):  # the restart
            assert await settled(runtime.database, 1) == 1
            await restarted[INBOX_KEY].worker.drain()
        assert await kudos_count(runtime.database) == 1


@both_engines
async def test_a_reaction_the_database_cannot_store_is_not_answered_200_and_its_resend_counts_once(
    bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def database_down(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("INSERT INTO inbox", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(inbox, "store_many", database_down)
    status, _, _ = await bravo.post(reaction("EvDOWN1", "1700000000.000902"))
    assert status == 503
    monkeypatch.undo()
    status, _, _ = await bravo.post(reaction("EvDOWN1", "1700000000.000902"), retry_num=1)
    assert status == 200
    assert await settled(bravo.runtime.database, 1) == 1
    status, _, _ = await bravo.post(reaction("EvDOWN1", "1700000000.000902"), retry_num=2)
    assert status == 200
    await bravo.app[INBOX_KEY].worker.drain()
    assert await kudos_count(bravo.runtime.database) == 1


async def test_a_burst_of_reactions_and_their_resends_are_each_counted_once(bravo: SlackBravo) -> None:
    people = [f"UB{index}" for index in range(12)]
    for person in people:
        bravo.api.users[person] = make_user(person, person.lower())
    bodies = [
        event_callback(
            reaction_added_event("clap", user=person, item_user="U2", item_ts="1700000000.000903"),
            event_id=f"Ev{person}",
        )
        for person in people
    ]
    answers = await asyncio.gather(*(bravo.post(body) for body in bodies))
    assert {status for status, _, _ in answers} == {200}
    assert await settled(bravo.runtime.database, len(people)) == len(people)
    await asyncio.gather(*(bravo.post(body, retry_num=1) for body in bodies))
    await bravo.app[INBOX_KEY].worker.drain()
    assert await kudos_count(bravo.runtime.database) == len(people)


async def test_metrics_count_pending_and_parked_events(bravo: SlackBravo) -> None:
    await park(bravo.runtime.database, "slack:EvPARK2")
    body = await (await bravo.client.get("/metrics")).text()
    assert "bravo_inbox_parked 1.0" in body and "bravo_inbox_pending 0.0" in body


async def test_deliveries_arriving_together_share_one_commit(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[int] = []
    store_many = inbox.store_many

    async def counted(session: Any, deliveries: Any) -> None:
        batches.append(len(deliveries))
        await store_many(session, deliveries)

    monkeypatch.setattr(inbox, "store_many", counted)
    intake = InboxIntake(database)
    await asyncio.gather(
        *(intake.accept(Delivery(delivery_id=f"slack:Ev{n}", platform="slack", body="{}")) for n in range(20))
    )
    assert sum(batches) == 20 and len(batches) < 20


async def test_events_bravo_certainly_ignores_are_answered_without_being_stored(bravo: SlackBravo) -> None:
    ignored = [
        message_event("<@U2> thanks for the help", user="U1"),
        reaction_added_event("tada", user="U1", item_user="U2"),
        {"type": "reaction_removed", "user": "U1", "reaction": "clap", "item": {"type": "message"}},
    ]
    for event in ignored:
        status, _, _ = await bravo.post(event_callback(event))
        assert status == 200
    async with bravo.runtime.database.sessions() as session:
        assert (await inbox.stats(session)) == inbox.InboxStats(pending=0, parked=0, done=0)
