"""The anonymity rule, checked against hand-computed cases and as a property: no hidden group can be recovered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.pulse.suppression import hidden_groups


def test_groups_under_the_threshold_are_hidden() -> None:
    assert hidden_groups({"a": 6, "b": 7}, threshold=5) == (set(), False)
    assert hidden_groups({"a": 6, "b": 0}, threshold=5) == ({"b"}, False)  # nothing to subtract


def test_one_small_group_hides_the_next_smallest_so_it_cannot_be_subtracted() -> None:
    assert hidden_groups({"a": 6, "b": 2, "c": 7}, threshold=5) == ({"a", "b"}, False)
    assert hidden_groups({"a": 6, "b": 2}, threshold=5) == ({"a", "b"}, False)


def test_small_groups_that_together_reach_the_threshold_need_no_more_hiding() -> None:
    assert hidden_groups({"a": 3, "b": 3, "c": 9}, threshold=5) == ({"a", "b"}, False)


def test_the_parent_is_hidden_when_nothing_else_can_be() -> None:
    assert hidden_groups({"a": 2}, threshold=5) == ({"a"}, True)
    assert hidden_groups({"a": 1, "b": 2}, threshold=5) == ({"a", "b"}, True)


def test_forced_groups_are_hidden_and_still_protected() -> None:
    assert hidden_groups({"a": 6, "b": 7, "c": 8}, threshold=5, forced={"a"}) == ({"a"}, False)


@given(
    counts=st.dictionaries(st.sampled_from("abcdefgh"), st.integers(min_value=0, max_value=12), max_size=8),
    threshold=st.integers(min_value=3, max_value=8),
)
def test_no_hidden_group_can_be_recovered_by_subtraction(counts: dict[str, int], threshold: int) -> None:
    hidden, parent_hidden = hidden_groups(counts, threshold=threshold)
    assert {key for key, count in counts.items() if count < threshold} <= hidden
    if not parent_hidden:
        together = sum(counts[key] for key in hidden)
        assert together == 0 or together >= threshold
        assert sum(counts.values()) >= threshold
