"""Group commit: what arrives during a batch becomes the next batch, and a failing item fails alone."""

from __future__ import annotations

import asyncio

import pytest

from bot.batching import BURST, Batcher


async def test_a_lone_item_is_processed_at_once_and_a_burst_shares_the_next_batch() -> None:
    batches: list[list[int]] = []
    release = asyncio.Event()

    async def process(items: list[int]) -> list[int]:
        batches.append(items)
        if len(batches) == 1:
            await release.wait()
        return [item * 10 for item in items]

    batcher: Batcher[int, int] = Batcher(process)
    first = asyncio.create_task(batcher.submit(1))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    burst = [asyncio.create_task(batcher.submit(item)) for item in range(2, 7)]
    await asyncio.sleep(0)
    release.set()
    assert await first == 10
    assert await asyncio.gather(*burst) == [20, 30, 40, 50, 60]
    assert batches == [[1], [2, 3, 4, 5, 6]]


async def test_batches_are_capped_in_size() -> None:
    sizes: list[int] = []

    async def process(items: list[int]) -> list[int]:
        sizes.append(len(items))
        await asyncio.sleep(0)
        return items

    batcher: Batcher[int, int] = Batcher(process, max_size=3)
    assert await asyncio.gather(*(batcher.submit(item) for item in range(8))) == list(range(8))
    assert sum(sizes) == 8 and max(sizes) == 3


async def test_a_failing_batch_is_retried_item_by_item_so_only_the_bad_item_fails() -> None:
    calls: list[list[str]] = []

    async def process(items: list[str]) -> list[str]:
        calls.append(items)
        if "bad" in items:
            raise ValueError("bad item")
        return [item.upper() for item in items]

    batcher: Batcher[str, str] = Batcher(process)
    results = await asyncio.gather(*(batcher.submit(item) for item in ("a", "bad", "c")), return_exceptions=True)
    assert results[0] == "A" and results[2] == "C"
    assert isinstance(results[1], ValueError)
    assert ["a"] in calls and ["c"] in calls


async def test_a_caller_that_gives_up_does_not_stop_its_item_from_being_processed() -> None:
    done: list[int] = []
    release = asyncio.Event()

    async def process(items: list[int]) -> list[int]:
        await release.wait()
        done.extend(items)
        return items

    batcher: Batcher[int, int] = Batcher(process)
    waiting = asyncio.create_task(batcher.submit(7))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    release.set()
    assert await batcher.submit(8) == 8
    assert done == [7, 8]


async def test_a_burst_is_backlogged_until_the_batcher_has_caught_up() -> None:
    """While it is, the outbox worker of the process holds its notifications (`scheduler.priority`)."""
    release = asyncio.Event()
    seen: list[bool] = []

    async def process(items: list[int]) -> list[int]:
        seen.append(batcher.backlogged())
        await release.wait()
        return items

    batcher: Batcher[int, int] = Batcher(process)
    assert not batcher.backlogged()
    lone = asyncio.create_task(batcher.submit(0))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert not batcher.backlogged()  # one request at a time holds nothing back
    burst = [asyncio.create_task(batcher.submit(item)) for item in range(1, BURST + 1)]
    await asyncio.sleep(0)
    assert batcher.backlogged()  # a burst's worth waiting
    release.set()
    await asyncio.gather(lone, *burst)
    assert seen == [False, True]  # the burst's batch was processed as one backlogged batch
    assert not batcher.backlogged()  # caught up
