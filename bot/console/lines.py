"""Reading terminal lines without blocking the event loop or shutdown.

A blocking `readline` in the loop's executor would keep the process alive after Ctrl-C until Enter is pressed;
a daemon thread feeding a queue lets the chat end at once. At a terminal, the thread reads with `input()` and the
standard library's `readline`, so arrow keys edit the line and recall earlier ones; piped input is read as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

Prompted = Callable[[str], str]


def line_editing() -> Prompted | None:
    """`input` with line editing and history when the standard library's `readline` is available."""
    try:
        import readline  # noqa: F401  (importing it is what gives `input()` editing and history)
    except ImportError:
        return None
    return input


class LineReader:
    """Lines from a text stream, delivered to the event loop; `None` marks the end of input.

    With `prompted` (a terminal), each line is read by `prompted(prompt)` when asked for, which shows the prompt
    itself; otherwise lines are read ahead from `stream` and the caller writes the prompt.
    """

    def __init__(self, stream: TextIO, *, prompted: Prompted | None = None) -> None:
        self.stream = stream
        self.prompted = prompted
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._prompts: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._loop = asyncio.get_running_loop()
        self._ended = False
        target = self._pump_prompted if prompted is not None else self._pump
        self._thread = threading.Thread(target=target, name="console-stdin", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            for line in iter(self.stream.readline, ""):
                self._put(line)
        except (OSError, ValueError):
            pass
        finally:
            self._put(None)

    def _pump_prompted(self) -> None:
        assert self.prompted is not None
        try:
            while True:
                self._put(self.prompted(self._prompts.get()) + "\n")
        except (EOFError, OSError, ValueError):
            pass
        finally:
            self._put(None)

    def _put(self, line: str | None) -> None:
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)

    async def readline(self, prompt: str = "") -> str | None:
        """The next line; with `prompted`, read after showing `prompt`. Once input has ended, always None (a form
        cancelled by Ctrl-D must not leave the chat waiting for a line that cannot come)."""
        if self._ended:
            return None
        if self.prompted is not None:
            self._prompts.put(prompt)
        line = await self._queue.get()
        self._ended = line is None
        return line


@contextlib.contextmanager
def terminal_kept(stream: TextIO) -> Iterator[None]:
    """Give the terminal back as it was, even when Ctrl-C ends the chat while a line is being edited."""
    try:
        import termios

        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError, AttributeError):
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
