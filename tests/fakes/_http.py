"""Shared plumbing for the in-process fake HTTP services.

Every fake binds 127.0.0.1 on an ephemeral port (never a fixed one, so tests can run in parallel) and
shuts down promptly even while a handler is deliberately stalled. With ``threaded=True`` the server runs
its own event loop in a background thread: needed when the code under test makes *blocking* HTTP calls
from the test's loop (botbuilder's ``TeamsInfo.get_team_details``/``get_team_channels`` use a sync client),
which would otherwise deadlock against a server sharing that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self

from aiohttp import web

# How long aiohttp may wait for in-flight handlers on shutdown; stalls are cut short anyway.
_SHUTDOWN_TIMEOUT = 1.0


class LocalHttpServer:
    """Base class: an aiohttp app served on 127.0.0.1:<ephemeral>, usable with ``async with``."""

    def __init__(self, *, threaded: bool = False) -> None:
        self.threaded = threaded
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing: asyncio.Event | None = None  # lives on the server loop
        self._changed: asyncio.Event | None = None  # lives on the test's loop
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._server_loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def build_app(self) -> web.Application:
        """Return the aiohttp application to serve; subclasses add their routes."""
        raise NotImplementedError

    @property
    def port(self) -> int:
        """Port chosen by the OS; only valid once started."""
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not running; use 'async with'")
        return self._port

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>`` without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Self:
        """Bind an ephemeral port and start serving (on this loop, or a private one when threaded)."""
        if self._client_loop is not None:
            raise RuntimeError(f"{type(self).__name__} already started")
        self._client_loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        if not self.threaded:
            await self._serve()
            return self
        loop = asyncio.new_event_loop()
        self._server_loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name=f"{type(self).__name__}-loop", daemon=True)
        self._thread.start()
        try:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._serve(), loop))
        except BaseException:
            await self.close()
            raise
        return self

    async def close(self) -> None:
        """Wake stalled handlers, stop the server and its thread; safe to call twice."""
        loop, thread = self._server_loop, self._thread
        if loop is None:
            await self._shutdown()
        elif not loop.is_closed():
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._shutdown(), loop))
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(timeout=5)
            loop.close()
        self._port = None
        self._client_loop = self._server_loop = None
        self._thread = None

    async def _serve(self) -> None:
        self._closing = asyncio.Event()
        runner = web.AppRunner(
            self.build_app(), access_log=None, handler_cancellation=True, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = int(sock.getsockname()[1])
        try:
            await web.SockSite(runner, sock).start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._runner = runner

    async def _shutdown(self) -> None:
        if self._closing is not None:
            self._closing.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        if self.threaded:  # leave nothing pending on the private loop before it is closed
            current = asyncio.current_task()
            leftovers = [t for t in asyncio.all_tasks() if t is not current]
            for task in leftovers:
                task.cancel()
            await asyncio.gather(*leftovers, return_exceptions=True)

    async def stall(self, seconds: float) -> None:
        """Sleep inside a handler, but return early when the server is closing."""
        if seconds <= 0 or self._closing is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)

    def notify_changed(self) -> None:
        """Wake ``wait_until`` callers on the test's loop; handlers call this after recording something."""
        loop = self._client_loop
        if loop is None:
            return
        if self._server_loop is None:
            self._wake()
        else:
            with contextlib.suppress(RuntimeError):  # test loop already closed
                loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        if event is not None:
            event.set()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float, describe: Callable[[], str]) -> None:
        """Wait for ``predicate`` to hold; on timeout raise AssertionError with ``describe()``."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    if self._changed is None:
                        raise RuntimeError(f"{type(self).__name__} is not running; use 'async with'")
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(describe()) from None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
