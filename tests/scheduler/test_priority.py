"""Incoming work first: notifications wait while a burst is counted, never longer than the bound, and not at all
in a quiet hour (the server's wiring: `tests/bot/test_app.py`)."""

from __future__ import annotations

from scheduler.priority import incoming_first


async def test_nothing_waits_without_a_backlog() -> None:
    assert await incoming_first(None) == 0.0
    assert await incoming_first(lambda: False) == 0.0


async def test_notifications_wait_until_the_backlog_is_counted() -> None:
    answers = iter([True, True, True, False])
    waited = await incoming_first(lambda: next(answers), step=0.001)
    assert waited == 3 * 0.001


async def test_a_long_burst_never_holds_notifications_past_the_bound() -> None:
    assert await incoming_first(lambda: True, limit=0.01, step=0.005) == 0.01


async def test_a_shutdown_stops_the_wait() -> None:
    assert await incoming_first(lambda: True, stopping=lambda: True, limit=5.0) == 0.0
