"""Roll-ups of small teams: how they climb the management tree, and how the one suppression rule treats them."""

from __future__ import annotations

from handlers.pulse.rollup import Hierarchy, rollups
from handlers.pulse.suppression import round_suppressed, suppress

# Teams 1-2 are managed by 11-12, who report to 100; teams 3-4 by 13-14, who report to 200; 100 and 200 report to 1000.
TREE = Hierarchy(
    team_manager={1: 11, 2: 12, 3: 13, 4: 14, 5: 15},
    manager_of={11: 100, 12: 100, 13: 200, 14: 200, 15: 1000, 100: 1000, 200: 1000},
)
SAME = {team: "p1" for team in range(1, 6)}


def test_small_teams_under_the_same_manager_of_managers_are_rolled_up_together() -> None:
    assert rollups({1: 3, 2: 3, 3: 8, 4: 9}, SAME, threshold=5, hierarchy=TREE) == [frozenset({1, 2})]


def test_a_pool_too_small_climbs_to_the_next_manager_and_joins_the_pools_there() -> None:
    assert rollups({1: 2, 2: 2, 3: 2, 4: 9}, SAME, threshold=5, hierarchy=TREE) == [frozenset({1, 2, 3})]


def test_a_pool_still_too_small_at_the_top_joins_the_smallest_roll_up_of_its_period() -> None:
    counts = {1: 3, 2: 3, 3: 2, 4: 9}
    assert rollups(counts, SAME, threshold=5, hierarchy=TREE) == [frozenset({1, 2, 3})]


def test_rounds_of_different_periods_are_never_pooled() -> None:
    periods = {1: "p1", 2: "p2", 3: "p1", 4: "p2"}
    assert rollups({1: 3, 2: 3, 3: 3, 4: 3}, periods, threshold=5, hierarchy=TREE) == [
        frozenset({1, 3}),
        frozenset({2, 4}),
    ]


def test_a_cycle_in_the_directory_ends() -> None:
    loop = Hierarchy(team_manager={1: 11, 2: 12}, manager_of={11: 12, 12: 11})
    assert rollups({1: 1, 2: 1}, {1: "p", 2: "p"}, threshold=5, hierarchy=loop) == []


def test_a_roll_up_hides_its_teams_and_shows_when_they_reach_the_threshold_together() -> None:
    shown = suppress({1: 3, 2: 3, 3: 8}, threshold=5, rollups=[frozenset({1, 2})])
    assert shown.hidden == {1, 2} and not shown.hidden_rollups and not shown.organisation_hidden


def test_a_team_left_alone_hides_the_next_smallest_sibling_even_a_roll_up() -> None:
    """Organisation − team 3 − roll-up would give team 4 alone: the roll-up (smallest sibling) is hidden too."""
    shown = suppress({1: 3, 2: 3, 3: 8, 4: 2}, threshold=5, rollups=[frozenset({1, 2})])
    assert shown.hidden == {1, 2, 4} and shown.hidden_rollups == {frozenset({1, 2})}


def test_a_roll_up_too_small_for_a_question_is_hidden_for_it() -> None:
    shown = suppress({1: 3, 2: 1, 3: 8}, threshold=5, rollups=[frozenset({1, 2})], forced={1, 2}, forced_rollups=[])
    assert shown.hidden_rollups == {frozenset({1, 2})} and 3 in shown.hidden


def test_an_earlier_round_is_judged_with_its_roll_ups() -> None:
    """With that round's roll-up, the roll-up (not team 3) was the next-smallest sibling of the lone small team 4, so
    team 3 was shown; without a roll-up, team 3 was hidden then and its change may not be shown now."""
    then = round_suppressed({1: 3, 2: 3, 3: 6, 4: 2, 5: 7}, None, threshold=5, rollups=[frozenset({1, 2})])
    assert (then.hidden, then.organisation_hidden, then.hidden_rollups) == ({1, 2, 4}, False, {frozenset({1, 2})})
    then = round_suppressed({3: 5, 4: 2, 5: 7}, None, threshold=5)
    assert (then.hidden, then.organisation_hidden) == ({3, 4}, False)
