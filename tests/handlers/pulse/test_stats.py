"""eNPS and the anonymity rule, checked against hand-computed cases and as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.pulse.stats import enps, hidden_groups, question_stats


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([10, 9, 9, 7, 3, 0], 100 * (3 - 2) / 6),  # 3 promoters, 1 passive, 2 detractors: +16.7
        ([10, 10, 10, 10, 10], 100.0),
        ([0, 1, 2, 3, 4, 5, 6], -100.0),
        ([7, 8, 7, 8, 7], 0.0),  # passives only
        ([9, 6], 0.0),
        ([9, 9, 8, 8, 6, 6, 6, 6], 100 * (2 - 4) / 8),  # -25
        ([], None),
    ],
)
def test_enps_matches_hand_computed_values(answers: list[int], expected: float | None) -> None:
    assert enps(answers) == (pytest.approx(expected) if expected is not None else None)


def test_acceptance_case_rounds_to_plus_16_7() -> None:
    stats = question_stats("scale10", [10, 9, 9, 7, 3, 0], is_enps=True)
    assert stats.responses == 6
    assert stats.average == pytest.approx(38 / 6)
    assert stats.enps is not None and round(stats.enps, 1) == 16.7
    assert stats.distribution[9] == 2 and stats.distribution[1] == 0 and len(stats.distribution) == 11


def test_agreement_scale_is_put_on_ten() -> None:
    stats = question_stats("agree5", [1, 5, 3], is_enps=False)
    assert stats.average == 3 and stats.on_ten == 5.0 and stats.enps is None


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
