"""Teams' per-conversation limits are kept by waiting, and long waits are handed back instead of taken."""

from __future__ import annotations

from bot.teams.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_seven_a_second_then_a_wait_per_conversation_only() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for _ in range(7):
        assert await pacer.reserve("a:1", "t", max_wait=5) == 0
    assert clock.slept == []
    assert await pacer.reserve("a:2", "t", max_wait=5) == 0 and clock.slept == []
    assert await pacer.reserve("a:1", "t", max_wait=5) == 0
    assert clock.slept == [1.0]


async def test_a_wait_longer_than_allowed_is_returned_not_slept() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for _ in range(60):
        await pacer.reserve("a:1", None, max_wait=30)
    wait = await pacer.reserve("a:1", None, max_wait=1)
    assert wait > 1 and clock.now < 1000 + 30


async def test_thirty_a_second_per_tenant() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for index in range(30):
        await pacer.reserve(f"a:{index}", "tenant", max_wait=5)
    assert clock.slept == []
    assert await pacer.reserve("a:new", "tenant", max_wait=0.5) == 1.0
