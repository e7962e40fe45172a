"""Group commit: requests that arrive while one batch is being written become the next batch.

A burst of kudos after an all-hands costs one transaction and a handful of statements per batch instead of a dozen
statements per kudos, and a quiet hour costs nothing extra: a lone request is a batch of one and starts at once.
Each caller still waits for its own item to be committed before answering the platform, so nothing is acknowledged
that is not durable. When a batch fails, its items are retried one by one, so one bad request fails alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
DEFAULT_MAX_SIZE = 200


class Batcher(Generic[Item, Result]):
    """Runs `process` over batches of submitted items, one batch at a time, in arrival order."""

    def __init__(
        self, process: Callable[[list[Item]], Awaitable[Sequence[Result]]], *, max_size: int = DEFAULT_MAX_SIZE
    ) -> None:
        self._process = process
        self._max_size = max_size
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """The item's result once its batch has been processed (its exception if it failed alone)."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_size]
            del self._waiting[: self._max_size]
            await self._run(batch)

    async def _run(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._process([item for item, _ in batch])
        except asyncio.CancelledError:
            for _, future in (*batch, *self._waiting):
                future.cancel()
            self._waiting.clear()
            raise
        except Exception as error:  # noqa: BLE001 - handed to the waiting callers, not swallowed
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(error)
                return
            log.warning("a batch of %d failed (%s); retrying its items one by one", len(batch), type(error).__name__)
            for entry in batch:
                await self._run([entry])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
