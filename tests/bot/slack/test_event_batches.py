"""Reactions and emoji messages claimed together from the inbox are given in one transaction, each as if alone.

The same deliveries given one by one and as one batch give the same kudos; a delivery given again (a Slack resend,
a worker that died after the commit) counts once; a delivery that breaks fails alone; the givers' answers are
queued in the outbox with the kudos, never sent while the batch is processed; people Bravo knows are not looked up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.slack.events import SlackEvents
from bot.slack.http import SLACK_BOT_KEY
from bot.slack.listeners.event_kudos import CONFIRMATION, KudosEvent
from storage.db import Database
from storage.models import Kudos, KudosRecipient, OutboxMessage, Person
from tests.bot.slack.conftest import SlackBravo
from tests.conftest import both_engines
from tests.fakes.slack_requests import event_callback, message_event, reaction_added_event

# (giver, author or None for an emoji message, text of the message): two points each at most, within the daily
# allowance even when given twice; one refused (clapping one's own message), one emoji message to two people.
DELIVERIES: list[tuple[str, str | None, str]] = [
    ("U1", "U2", ""),
    ("U4", "U3", ""),
    ("U3", "U1", ""),
    ("U4", "U4", ""),
    ("U2", None, "<@U4> <@U1> :clap: thanks for the launch #teamwork"),
    ("U1", "U3", ""),
]


def bodies(channel: str) -> list[str]:
    """The deliveries, in `channel`, with their own event ids and messages."""
    made = []
    for index, (giver, author, text) in enumerate(DELIVERIES):
        ts = f"1700000000.{index:06d}"
        if author is None:
            event = message_event(text, user=giver, channel=channel, ts=ts)
        else:
            event = reaction_added_event("clap", user=giver, channel=channel, item_ts=ts, item_user=author)
        made.append(event_callback(event, event_id=f"Ev{channel}{index}")[0])
    return made


async def given_in(database: Database, channel: str) -> list[tuple[str, str, int, str]]:
    """(giver, recipient, points, source) of the kudos given in `channel`, in the order they were given."""
    async with database.sessions() as session:
        rows = await session.exec(
            select(Kudos.giver_id, KudosRecipient.recipient_id, KudosRecipient.points, Kudos.source)
            .join(KudosRecipient, col(KudosRecipient.kudos_id) == col(Kudos.id))
            .where(col(Kudos.channel) == channel)
            .order_by(col(Kudos.id), col(KudosRecipient.recipient_id))
        )
        found = rows.all()
    people = await slack_ids_by_person(database)
    return [(people[giver], people[to], points, source) for giver, to, points, source in found]


async def answers_queued(database: Database, channel: str) -> list[OutboxMessage]:
    async with database.sessions() as session:
        statement = select(OutboxMessage).where(
            col(OutboxMessage.kind) == CONFIRMATION, col(OutboxMessage.channel) == channel
        )
        return list((await session.exec(statement.order_by(col(OutboxMessage.id)))).all())


def count_transactions(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    opened: list[int] = []
    transaction: Callable[[], AbstractAsyncContextManager[AsyncSession]] = database.transaction

    def counted() -> AbstractAsyncContextManager[AsyncSession]:
        opened.append(1)
        return transaction()

    monkeypatch.setattr(database, "transaction", counted)
    return opened


@pytest.fixture
async def events(bravo: SlackBravo) -> AsyncIterator[SlackEvents]:
    yield SlackEvents(bravo.app[SLACK_BOT_KEY])


@both_engines
async def test_a_batch_gives_in_one_transaction_what_one_by_one_gives(
    bravo: SlackBravo, events: SlackEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    for body in bodies("CALONE"):
        assert await events.process_many([body]) == [None]
    alone = await given_in(bravo.runtime.database, "CALONE")
    assert len(alone) == 6 and ("U4", "U4", 1, "reaction") not in alone  # five kudos, one of them to two people
    bravo.api.calls.clear()
    opened = count_transactions(bravo.runtime.database, monkeypatch)
    assert await events.process_many(bodies("CBATCH")) == [None] * len(DELIVERIES)
    assert len(opened) == 1
    assert await given_in(bravo.runtime.database, "CBATCH") == alone
    assert bravo.api.calls_to("users.info") == []  # everyone is known by now
    assert bravo.api.calls_to("chat.postEphemeral") == []  # answers are queued, not sent inline
    queued = await answers_queued(bravo.runtime.database, "CBATCH")
    assert len(queued) == len(await answers_queued(bravo.runtime.database, "CALONE")) == len(DELIVERIES)
    slack_ids = await slack_ids_by_person(bravo.runtime.database)
    assert sorted(slack_ids[row.person_id or 0] for row in queued) == sorted(giver for giver, _, _ in DELIVERIES)
    (refusal,) = [row for row in queued if slack_ids[row.person_id or 0] == "U4" and "yourself" in row.payload]
    assert refusal.platform == "slack"


async def slack_ids_by_person(database: Database) -> dict[int, str]:
    async with database.sessions() as session:
        return {person.id or 0: person.slack_id or "" for person in (await session.exec(select(Person))).all()}


@both_engines
async def test_a_bad_delivery_fails_alone_and_a_redelivered_batch_counts_once(
    bravo: SlackBravo, events: SlackEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    kudos = KudosEvent.kudos

    def breaks_for_u3(self: KudosEvent, *args: Any) -> Any:
        if self.request.user_id == "U3":
            raise RuntimeError("this one cannot be given")
        return kudos(self, *args)

    monkeypatch.setattr(KudosEvent, "kudos", breaks_for_u3)
    batch = bodies("CRETRY")
    outcomes = await events.process_many(batch)
    failed = [index for index, outcome in enumerate(outcomes) if outcome is not None]
    assert failed == [2] and isinstance(outcomes[2], RuntimeError)
    first = await given_in(bravo.runtime.database, "CRETRY")
    assert ("U3", "U1", 1, "reaction") not in first and len(first) == 5
    monkeypatch.setattr(KudosEvent, "kudos", kudos)
    assert await events.process_many(batch) == [None] * len(DELIVERIES)  # all of them again, as Slack could
    again = await given_in(bravo.runtime.database, "CRETRY")
    assert len(again) == 6 and ("U3", "U1", 1, "reaction") in again and set(first) <= set(again)
    assert len(await answers_queued(bravo.runtime.database, "CRETRY")) == len(DELIVERIES)
