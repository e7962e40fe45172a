"""A Slack server's outbox holds its notifications while a burst of events or of /kudos commands is being
acknowledged or counted (`scheduler/priority.py`): every backlog is wired to it."""

from __future__ import annotations

import asyncio

from bot.app import INBOX_KEY, WORKER_KEY
from bot.inbox_intake import InboxIntake
from storage.db import Database
from storage.inbox import Delivery
from tests.bot.slack.conftest import SlackBravo


async def test_the_outbox_defers_to_the_intake_the_inbox_and_the_kudos_command_batches(bravo: SlackBravo) -> None:
    worker, inbox = bravo.app[WORKER_KEY], bravo.app[INBOX_KEY]
    assert inbox.intake.backlogged in worker.incoming
    assert inbox.worker.backlogged in worker.incoming
    assert len(worker.incoming) == 3  # the intake, the inbox worker and the /kudos group commit
    assert not any(busy() for busy in worker.incoming)  # a quiet server holds nothing back


async def test_the_intake_is_backlogged_during_a_burst_of_deliveries_and_not_after(database: Database) -> None:
    intake = InboxIntake(database)
    seen: list[bool] = []
    stored = intake._store

    async def watched(deliveries: list[Delivery]) -> list[None]:
        seen.append(intake.backlogged())
        return list(await stored(deliveries))

    intake._batcher._process = watched  # type: ignore[assignment]
    await intake.accept(Delivery("Ev-alone", "slack", "{}"))
    assert seen == [False]  # a lone delivery is no burst
    await asyncio.gather(*(intake.accept(Delivery(f"Ev{index}", "slack", "{}")) for index in range(40)))
    assert True in seen[1:]  # the burst's later commits happen while the outbox holds
    assert not intake.backlogged()  # caught up: notifications go out again
