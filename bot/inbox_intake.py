"""Stores verified deliveries in the inbox before they are acknowledged, many requests to one commit.

Deliveries that arrive while one batch is being written become the next batch (`bot.batching`), so a burst of
reactions costs a transaction per batch rather than per reaction. Each caller waits for its own commit: only then may
the platform be told 200. If the commit fails (the database is down), `accept` raises and the caller answers an
error, so the platform sends the delivery again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.batching import Batcher
from scheduler.inbox_worker import InboxWorker
from storage import inbox
from storage.db import Database
from storage.inbox import Delivery


class InboxIntake:
    """The one way a delivery enters the inbox; `on_stored` wakes the worker."""

    def __init__(self, database: Database, *, on_stored: Callable[[], None] = lambda: None) -> None:
        self.database = database
        self.on_stored = on_stored
        self._batcher: Batcher[Delivery, None] = Batcher(self._store)

    async def accept(self, delivery: Delivery) -> None:
        """Return once the delivery is committed (or was already stored); raise when it could not be."""
        await self._batcher.submit(delivery)

    def backlogged(self) -> bool:
        """True while deliveries arrive in bursts (commits of many at once): the outbox worker of this process holds
        its notifications meanwhile, so the acknowledgements and the counting have the core."""
        return self._batcher.backlogged()

    async def _store(self, deliveries: list[Delivery]) -> Sequence[None]:
        async with self.database.transaction() as session:
            await inbox.store_many(session, deliveries)
        self.on_stored()
        return [None] * len(deliveries)


@dataclass(frozen=True)
class Inbox:
    """The intake the request paths store into and the worker that processes what they stored."""

    intake: InboxIntake
    worker: InboxWorker

    @classmethod
    def open(cls, database: Database, *, max_attempts: int) -> Inbox:
        worker = InboxWorker(database, {}, max_attempts=max_attempts)
        return cls(intake=InboxIntake(database, on_stored=worker.wake), worker=worker)
