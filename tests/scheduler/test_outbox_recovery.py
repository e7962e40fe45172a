"""A delivery that reached Slack just before a crash is not sent again; a dead process's leases are taken back at once.

The "crash" is staged the way it happens: a worker claims rows and posts them, and the process dies before it marks
them sent. The next worker finds those rows in doubt and asks Slack (message metadata in `conversations.history`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import col, select

from bot.slack.sender import DELIVERY_EVENT, SlackSender
from handlers import delivery
from handlers.delivery import channel_delivery
from handlers.messages import Card, text_card
from scheduler.leases import LeaseOwner, is_gone, owner_of, this_process
from scheduler.outbox_worker import LEASE, OutboxWorker
from scheduler.sending import Destination
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage, Person
from storage.models.delivery import PENDING, SENT
from tests.bot.slack.conftest import open_sender
from tests.conftest import both_engines
from tests.fakes.slack_api import FakeSlackApi
from tests.storage import outbox_rows


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
async def sender(database_url: str, api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SlackSender]:
    async with open_sender(database_url, api, monkeypatch) as sender:
        yield sender


async def queue(database: Database, *, channels: tuple[str, ...] = (), people: tuple[str, ...] = ()) -> list[int]:
    """Queue a post per channel and a direct message per Slack user id; returns the outbox ids."""
    async with database.transaction() as session:
        for channel in channels:
            await delivery.queue(
                session, [channel_delivery(platform="slack", channel=channel, card=text_card(channel), kind="post")]
            )
        for slack_id in people:
            person = Person(email=f"{slack_id.lower()}@acme.test", display_name=slack_id, slack_id=slack_id)
            session.add(person)
            await session.flush()
            await outbox_rows.enqueue(
                session,
                kind="dm",
                platform="slack",
                person_id=person.id,
                payload=text_card(slack_id).model_dump_json(),
            )
        rows = await session.exec(select(OutboxMessage.id).order_by(col(OutboxMessage.id)))
        return [row_id for row_id in rows.all() if row_id is not None]


async def crash_after_posting(
    database: Database, sender: SlackSender, *, post: set[str], owner: str | None = None
) -> dict[int, str]:
    """What a dying process does: lease every due row, post those addressed to `post`, never mark them."""
    async with database.transaction() as session:
        claimed = await outbox.claim_batch(
            session, now=datetime.now(UTC), limit=50, lease=LEASE, platforms=("slack",), owner=owner
        )
    refs: dict[int, str] = {}
    for item in claimed:
        row = item.message
        async with database.sessions() as session:
            person = await session.get(Person, row.person_id) if row.person_id else None
        address = row.channel or (person.slack_id if person else None)
        if address in post and row.id is not None:
            destination = Destination(platform="slack", person_id=row.person_id, channel=row.channel)
            card = Card.model_validate_json(row.payload)
            ref = await sender.send(destination, card, address=address, marker=row.id)
            assert ref is not None
            refs[row.id] = ref
    return refs


async def rows(database: Database) -> dict[int, OutboxMessage]:
    async with database.sessions() as session:
        return {row.id or 0: row for row in (await session.exec(select(OutboxMessage))).all()}


def posts(api: FakeSlackApi) -> list[dict[str, object]]:
    return [call.args for call in api.calls_to("chat.postMessage") if not call.failed]


def dead_process() -> LeaseOwner:
    """The owner id of a process of this machine that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return replace(this_process(), pid=child.pid, started="1")


@both_engines
async def test_a_message_posted_before_a_crash_is_recorded_not_posted_again(
    database: Database, sender: SlackSender, api: FakeSlackApi
) -> None:
    ids = await queue(database, channels=("C_KUDOS", "C_OTHER"), people=("U2", "U3"))
    refs = await crash_after_posting(database, sender, post={"C_KUDOS", "U2"})
    assert len(posts(api)) == 2
    later = datetime.now(UTC) + LEASE + timedelta(seconds=1)
    await OutboxWorker(database, {"slack": sender}, clock=lambda: later).drain()
    delivered = posts(api)
    assert sorted(str(args["channel"]) for args in delivered) == ["C_KUDOS", "C_OTHER", "U2", "U3"]
    after = await rows(database)
    assert all(row.status == SENT for row in after.values())
    for row_id, ref in refs.items():
        assert after[row_id].delivered_ref == ref
    markers = sorted(args["metadata"]["event_payload"]["outbox_id"] for args in delivered)  # type: ignore[index]
    assert markers == sorted(ids)
    history = api.calls_to("conversations.history")
    assert {call.args["channel"] for call in history} == {"C_KUDOS", "C_OTHER", "DU2", "DU3"}
    assert all(call.args["include_all_metadata"] in ("1", "true", True) for call in history)


async def test_a_dead_process_leases_are_taken_back_at_once(
    database: Database, sender: SlackSender, api: FakeSlackApi
) -> None:
    await queue(database, channels=("C_KUDOS", "C_OTHER"))
    await crash_after_posting(database, sender, post={"C_KUDOS"}, owner=str(dead_process()))
    await OutboxWorker(database, {"slack": sender}).drain()
    assert sorted(str(args["channel"]) for args in posts(api)) == ["C_KUDOS", "C_OTHER"]
    assert {row.status for row in (await rows(database)).values()} == {SENT}


async def test_the_leases_of_a_running_process_are_left_alone(
    database: Database, sender: SlackSender, api: FakeSlackApi
) -> None:
    await queue(database, channels=("C_KUDOS",))
    parent = owner_of(os.getppid())
    assert parent is not None
    await crash_after_posting(database, sender, post=set(), owner=str(parent))
    assert await OutboxWorker(database, {"slack": sender}).drain() == 0
    assert posts(api) == [] and {row.status for row in (await rows(database)).values()} == {PENDING}


async def test_a_check_slack_cannot_answer_now_is_asked_again_later_without_posting(
    database: Database, sender: SlackSender, api: FakeSlackApi
) -> None:
    await queue(database, channels=("C_KUDOS",))
    await crash_after_posting(database, sender, post=set())
    api.fail_next("conversations.history", "ratelimited", status=429, retry_after=5)
    later = datetime.now(UTC) + LEASE + timedelta(seconds=1)
    await OutboxWorker(database, {"slack": sender}, clock=lambda: later).drain()
    assert posts(api) == []
    (row,) = (await rows(database)).values()
    assert (row.status, row.attempts, row.in_doubt, row.last_error) == (PENDING, 0, True, "ratelimited")
    assert row.next_attempt_at.replace(tzinfo=UTC) == later + timedelta(seconds=5)
    await OutboxWorker(database, {"slack": sender}, clock=lambda: later + timedelta(seconds=5)).drain()
    assert len(posts(api)) == 1 and len(api.calls_to("conversations.history")) == 2


async def test_a_rate_limited_send_leaves_no_doubt_but_a_server_error_does(
    database: Database, sender: SlackSender, api: FakeSlackApi
) -> None:
    now = datetime.now(UTC) + timedelta(seconds=5)
    worker = OutboxWorker(database, {"slack": sender}, clock=lambda: now)
    await queue(database, channels=("C_BUSY",))
    api.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=2)  # refused: nothing posted
    await worker.drain()
    await queue(database, channels=("C_DOWN",))
    api.fail_next("chat.postMessage", "internal_error", status=500)  # Slack may or may not have posted it
    await worker.drain()
    assert {row.channel: row.in_doubt for row in (await rows(database)).values()} == {"C_BUSY": False, "C_DOWN": True}
    await OutboxWorker(database, {"slack": sender}, clock=lambda: now + timedelta(minutes=1)).drain()
    assert [call.args["channel"] for call in api.calls_to("conversations.history")] == ["C_DOWN"]
    assert sorted(str(args["channel"]) for args in posts(api)) == ["C_BUSY", "C_DOWN"]


async def test_without_permission_to_read_history_an_in_doubt_delivery_is_sent_again(
    database: Database, sender: SlackSender, api: FakeSlackApi
) -> None:
    await queue(database, channels=("C_KUDOS",))
    await crash_after_posting(database, sender, post={"C_KUDOS"})
    api.fail_next("conversations.history", "missing_scope")
    later = datetime.now(UTC) + LEASE + timedelta(seconds=1)
    await OutboxWorker(database, {"slack": sender}, clock=lambda: later).drain()
    assert len(posts(api)) == 2  # at least once: twice rather than never
    assert {row.status for row in (await rows(database)).values()} == {SENT}


class PlainSender:
    """A sender that cannot look for earlier deliveries (like Teams)."""

    platform = "slack"

    def __init__(self) -> None:
        self.sent: list[str | None] = []

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        self.sent.append(address)
        return f"ref-{len(self.sent)}"


async def test_a_sender_that_cannot_check_sends_an_in_doubt_delivery_again(database: Database) -> None:
    await queue(database, channels=("C_KUDOS",))
    async with database.transaction() as session:
        await outbox.claim_batch(session, now=datetime.now(UTC), limit=10, lease=LEASE, platforms=("slack",))
    plain = PlainSender()
    later = datetime.now(UTC) + LEASE + timedelta(seconds=1)
    await OutboxWorker(database, {"slack": plain}, clock=lambda: later).drain()
    assert plain.sent == ["C_KUDOS"]


async def test_only_rows_an_earlier_attempt_may_have_delivered_are_in_doubt(database: Database) -> None:
    await queue(database, channels=("C1", "C2", "C3", "C4"))
    now = datetime.now(UTC)
    async with database.transaction() as session:
        claimed = await outbox.claim_batch(session, now=now, limit=10, lease=LEASE, platforms=("slack",))
        assert [item.in_doubt for item in claimed] == [False] * 4
        first, second, third, _crashed = (item.message.id or 0 for item in claimed)
        await outbox.mark_retry(session, message_id=first, next_attempt_at=now, error="network", in_doubt=True)
        await outbox.mark_retry(session, message_id=second, next_attempt_at=now, error="ratelimited")
        await outbox.defer(session, message_id=third, until=now, error="history unavailable")
    async with database.transaction() as session:
        again = await outbox.claim_batch(session, now=now + LEASE, limit=10, lease=LEASE, platforms=("slack",))
    assert [item.in_doubt for item in again] == [True, False, True, True]
    assert [item.message.in_doubt for item in again] == [True, False, True, True]


def test_a_lease_owner_is_gone_only_when_certainly_dead() -> None:
    me = this_process()
    assert LeaseOwner.parse(str(me)) == me
    assert not is_gone(me)
    assert is_gone(dead_process())
    assert not is_gone(replace(dead_process(), host="elsewhere"))
    assert not is_gone(replace(dead_process(), namespace="pid:[1]"))
    parent = owner_of(os.getppid())
    assert parent is not None and not is_gone(parent)
    assert is_gone(replace(parent, started="0"))  # the pid now belongs to a process started at another time
    assert is_gone(replace(me, started="0"))
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        stat = Path(f"/proc/{child.pid}/stat")
        deadline = time.monotonic() + 10
        while ") Z " not in stat.read_text() and time.monotonic() < deadline:  # ended, not reaped yet
            time.sleep(0.01)
        zombie = owner_of(child.pid)
        assert zombie is not None and is_gone(zombie)
    finally:
        child.wait()


async def test_the_fake_answers_conversations_history_newest_first_with_metadata(api: FakeSlackApi) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=api.base_url)
    metadata = {"event_type": DELIVERY_EVENT, "event_payload": {"outbox_id": 1}}
    for index in range(5):
        await client.chat_postMessage(channel="C1", text=f"m{index}", metadata=metadata if index == 1 else None)
    await client.chat_postMessage(channel="U2", text="dm")
    page = await client.conversations_history(channel="C1", limit=3)
    assert [message["text"] for message in page["messages"]] == ["m4", "m3", "m2"] and page["has_more"]
    cursor = page["response_metadata"]["next_cursor"]
    rest = await client.conversations_history(channel="C1", limit=3, cursor=cursor, include_all_metadata=True)
    assert [message["text"] for message in rest["messages"]] == ["m1", "m0"] and not rest["has_more"]
    assert rest["messages"][0]["metadata"] == metadata
    assert "metadata" not in (await client.conversations_history(channel="C1"))["messages"][3]
    assert [m["text"] for m in (await client.conversations_history(channel="DU2"))["messages"]] == ["dm"]
    future = f"{datetime.now(UTC).timestamp() + 60:.6f}"
    assert (await client.conversations_history(channel="C1", oldest=future))["messages"] == []
