"""A platform's Retry-After is honoured only within sane bounds: never a tight loop, never a pause for days."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.sending import MAX_RETRY_AFTER_SECONDS, MIN_RETRY_AFTER_SECONDS, DeliveryError, sane_retry_after


@pytest.mark.parametrize(
    ("given_value", "kept"),
    [(None, None), (0.0, 1.0), (0.2, 1.0), (30.0, 30.0), (900.0, 900.0), (1e12, None), (-5.0, None)],
)
def test_retry_after_is_clamped_or_falls_back_to_backoff(given_value: float | None, kept: float | None) -> None:
    assert sane_retry_after(given_value) == kept
    assert DeliveryError("ratelimited", permanent=False, retry_after=given_value).retry_after == kept


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_header_value_gives_a_bounded_pause_or_none(value: float) -> None:
    kept = sane_retry_after(value)
    assert kept is None or (MIN_RETRY_AFTER_SECONDS <= kept <= MAX_RETRY_AFTER_SECONDS and math.isfinite(kept))
    if math.isnan(value) or math.isinf(value):
        assert kept is None
