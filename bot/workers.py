"""Several server processes on one port, so one machine's cores all serve (`BRAVO_WORKERS`).

Each worker is a full `bravo run` replica: the kernel spreads connections over their sockets (SO_REUSEPORT), and
their outbox workers and schedulers already share the work through leases and claims, as replicas on several
machines do. The first process starts the others and stops them when it stops; a worker whose first process has
gone (killed without a chance to clean up) stops by itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

log = logging.getLogger(__name__)
PARENT_VARIABLE = "BRAVO_WORKER_OF"
PARENT_CHECK_SECONDS = 1.0


def is_worker() -> bool:
    """Whether this process was started by another `bravo run` as one of its workers."""
    return PARENT_VARIABLE in os.environ


@asynccontextmanager
async def extra_workers(count: int) -> AsyncIterator[None]:
    """Start `count` more server processes for the block's duration (none when this process is itself a worker)."""
    if count <= 0 or is_worker():
        yield
        return
    environment = {**os.environ, PARENT_VARIABLE: str(os.getpid())}
    children = [subprocess.Popen([sys.executable, "-m", "bot", "run"], env=environment) for _ in range(count)]
    log.info("started %d more server processes: %s", count, ", ".join(str(child.pid) for child in children))
    try:
        yield
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                await asyncio.to_thread(child.wait, 10)
            except subprocess.TimeoutExpired:
                child.kill()


async def exit_with_parent() -> None:
    """In a worker: return once the process that started it is gone."""
    parent = int(os.environ.get(PARENT_VARIABLE, "0") or 0)
    while parent and os.getppid() == parent:
        await asyncio.sleep(PARENT_CHECK_SECONDS)
