"""The cyclic collector is paused for a digest batch and resumed when the last overlapping batch ends."""

from __future__ import annotations

import gc

from scheduler.collector import collector_paused


def test_overlapping_batches_resume_collection_only_when_the_last_one_ends() -> None:
    assert gc.isenabled()
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_host_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failing_batch_still_resumes_collection() -> None:
    try:
        with collector_paused():
            raise RuntimeError("the batch failed")
    except RuntimeError:
        pass
    assert gc.isenabled()
