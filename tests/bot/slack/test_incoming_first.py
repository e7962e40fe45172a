"""A Slack server's outbox holds its notifications while a burst of events or of /kudos commands is being
counted (`scheduler/priority.py`): both backlogs are wired to it."""

from __future__ import annotations

from bot.app import INBOX_KEY, WORKER_KEY
from tests.bot.slack.conftest import SlackBravo


async def test_the_outbox_defers_to_the_inbox_and_to_the_kudos_command_batches(bravo: SlackBravo) -> None:
    worker, inbox = bravo.app[WORKER_KEY], bravo.app[INBOX_KEY]
    assert inbox.worker.backlogged in worker.incoming
    assert len(worker.incoming) == 2  # the inbox worker and the /kudos group commit
    assert not any(busy() for busy in worker.incoming)  # a quiet server holds nothing back
