"""The pulse report reads the answers of only the rounds it compares, however long a team's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.pulse.reading import rounds_compared
from storage.models import PulseRound


def round_of(round_id: int, team_id: int, weeks_ago: int) -> PulseRound:
    opened = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(weeks=weeks_ago)
    return PulseRound(
        id=round_id,
        team_id=team_id,
        period=opened.date().isoformat(),
        opened_at=opened,
        closes_at=opened + timedelta(days=2),
        remind_at=opened + timedelta(days=1),
        closed=True,
    )


def test_the_latest_round_and_for_each_of_its_questions_the_last_earlier_round_that_asked_it() -> None:
    history = {
        1: [round_of(1, 1, 4), round_of(2, 1, 3), round_of(3, 1, 2), round_of(4, 1, 1)],
        2: [round_of(5, 2, 1)],
    }
    asked = {1: [10, 11, 12], 2: [13, 14, 15], 3: [10, 16, 17], 4: [10, 13, 18], 5: [10, 11, 12]}
    # Team 1: its latest round 4; question 10 was last asked in round 3 (not 1), question 13 in round 2, 18 never.
    assert rounds_compared(history, asked) == [2, 3, 4, 5]


def test_a_team_asked_once_needs_only_that_round() -> None:
    assert rounds_compared({7: [round_of(9, 7, 1)]}, {9: [1, 2, 3]}) == [9]
    assert rounds_compared({}, {}) == []


def test_trends_read_only_each_teams_last_six_rounds() -> None:
    from handlers.pulse.continuity import RECENT_ROUNDS, recent_rounds

    history = {1: [round_of(index, 1, 20 - index) for index in range(1, 11)], 2: [round_of(11, 2, 1)]}
    assert RECENT_ROUNDS == 6
    assert recent_rounds(history) == [5, 6, 7, 8, 9, 10, 11]
