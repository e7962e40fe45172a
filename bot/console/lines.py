"""Reading terminal lines without blocking the event loop or shutdown.

A blocking `readline` in the loop's executor would keep the process alive after Ctrl-C until Enter is pressed;
a daemon thread feeding a queue lets the chat end at once.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TextIO


class LineReader:
    """Lines from a text stream, delivered to the event loop; `None` marks the end of input."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._pump, name="console-stdin", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            for line in iter(self.stream.readline, ""):
                self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
        except (OSError, ValueError):
            pass
        finally:
            try:
                self._loop.call_soon_threadsafe(self._queue.put_nowait, None)
            except RuntimeError:
                pass

    async def readline(self) -> str | None:
        return await self._queue.get()
