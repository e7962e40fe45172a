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
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
DEFAULT_MAX_SIZE = 200
# A batch this large means requests arrive faster than one at a time: a burst.
BURST = 16


@dataclass(frozen=True)
class Failed:
    """An item that failed alone (its batch was retried item by item), with its error."""

    error: Exception


async def together(
    process: Callable[[list[Item]], Awaitable[Sequence[Result]]], items: list[Item]
) -> list[Result | Failed]:
    """Each item's result from one call over all of them; when that call fails, each item is retried alone, so a bad
    item fails alone (`Failed`) and the others still get their result. Cancellation is never caught."""
    try:
        return list(await process(items))
    except Exception as error:  # noqa: BLE001 - handed back per item, not swallowed
        if len(items) == 1:
            return [Failed(error)]
        log.warning("a batch of %d failed (%s); retrying its items one by one", len(items), type(error).__name__)
    outcomes: list[Result | Failed] = []
    for item in items:
        outcomes += await together(process, [item])
    return outcomes


class Batcher(Generic[Item, Result]):
    """Runs `process` over batches of submitted items, one batch at a time, in arrival order."""

    def __init__(
        self, process: Callable[[list[Item]], Awaitable[Sequence[Result]]], *, max_size: int = DEFAULT_MAX_SIZE
    ) -> None:
        self._process = process
        self._max_size = max_size
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._last_size = 0

    async def submit(self, item: Item) -> Result:
        """The item's result once its batch has been processed (its exception if it failed alone)."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await asyncio.shield(future)

    def backlogged(self) -> bool:
        """True during a burst (the last batch, or the requests waiting, are at least `BURST`): the outbox worker of
        this process holds its notifications meanwhile, so the requests are answered first."""
        return max(self._last_size, len(self._waiting)) >= BURST

    async def _drain(self) -> None:
        while self._waiting:
            self._last_size = min(len(self._waiting), self._max_size)
            batch = self._waiting[: self._max_size]
            del self._waiting[: self._max_size]
            await self._run(batch)
        self._last_size = 0  # caught up: the burst is over

    async def _run(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            outcomes = await together(self._process, [item for item, _ in batch])
        except asyncio.CancelledError:
            for _, future in (*batch, *self._waiting):
                future.cancel()
            self._waiting.clear()
            raise
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Failed):
                future.set_exception(outcome.error)
            else:
                future.set_result(outcome)
