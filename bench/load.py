"""A closed-loop HTTP load generator: N workers each send their next request as soon as the last one is answered."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiohttp


@dataclass(frozen=True)
class LoadResult:
    requests: int
    ok: int
    errors: int
    seconds: float
    latencies: tuple[float, ...]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


Request = tuple[bytes, dict[str, str]]


async def run_load(
    url: str, requests: Sequence[Request] | Callable[[int], Request], count: int, concurrency: int
) -> LoadResult:
    """Send `count` requests with `concurrency` workers; `requests` is a list or a factory by index."""
    build = requests if callable(requests) else (lambda index: requests[index])
    latencies: list[float] = []
    failures = 0
    next_index = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal next_index, failures
        while next_index < count:
            index = next_index
            next_index += 1
            body, headers = build(index)
            started = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return LoadResult(requests=count, ok=len(latencies), errors=failures, seconds=elapsed, latencies=tuple(latencies))
