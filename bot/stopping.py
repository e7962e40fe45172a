"""Background work started once a request has been answered, ended with the server (`scheduler.stopping`)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from scheduler.stopping import end_tasks


class Background:
    """Tasks started once a request has been answered (describing the people it named): `drain()` waits for them
    (tests), `stop()` ends them with the server."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop(self) -> None:
        await end_tasks(set(self._tasks), what=self.what)
