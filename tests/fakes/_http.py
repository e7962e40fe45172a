"""Shared plumbing for the in-process fake HTTP services.

Every fake binds 127.0.0.1 on an ephemeral port (never a fixed one, so tests can run in
parallel) and shuts down promptly even while a handler is deliberately stalled.
"""

from __future__ import annotations

import asyncio
import socket
from types import TracebackType
from typing import Self

from aiohttp import web

# How long aiohttp may wait for in-flight handlers on shutdown; stalls are cut short anyway.
_SHUTDOWN_TIMEOUT = 1.0


class LocalHttpServer:
    """Base class: an aiohttp app served on 127.0.0.1:<ephemeral>, usable with ``async with``."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing: asyncio.Event | None = None

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
        """Bind an ephemeral port and start serving."""
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} already started")
        self._closing = asyncio.Event()
        runner = web.AppRunner(
            self.build_app(),
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT,
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
        return self

    async def close(self) -> None:
        """Wake stalled handlers and stop the server; safe to call twice."""
        if self._closing is not None:
            self._closing.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        self._port = None

    async def stall(self, seconds: float) -> None:
        """Sleep inside a handler, but return early when the server is closing."""
        if seconds <= 0 or self._closing is None:
            return
        try:
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
