"""A stop lets background work end by itself within its grace, and cancels (then awaits) only what outlives it."""

from __future__ import annotations

import asyncio

from scheduler.stopping import end_tasks


async def test_work_ending_within_the_grace_is_let_finish_and_the_rest_cancelled() -> None:
    finished: list[str] = []

    async def work(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        finished.append(name)

    quick = asyncio.create_task(work("quick", 0.05))
    slow = asyncio.create_task(work("slow", 3600))
    await end_tasks({quick, slow}, what="test", grace=0.3)
    assert finished == ["quick"] and not quick.cancelled()
    assert slow.cancelled()


async def test_a_task_that_ignores_its_cancellation_does_not_hold_the_stop_forever() -> None:
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn())
    await asyncio.wait_for(end_tasks({task}, what="test", grace=0.05), timeout=2)
    assert not task.done()
    release.set()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
