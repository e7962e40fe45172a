"""eNPS and a question's statistics, checked against hand-computed cases."""

from __future__ import annotations

import pytest

from handlers.pulse.stats import enps, question_stats


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
