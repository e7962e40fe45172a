"""What people type in Teams maps onto the same commands as Slack."""

from __future__ import annotations

import pytest

from bot.teams.commands import route


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kudos <@4> thanks #teamwork", ("kudos", "<@4> thanks #teamwork")),
        ("kudos", ("kudos", "")),
        ("/kudos me", ("kudos", "me")),
        ("leaderboard month", ("kudos", "leaderboard month")),
        ("Me", ("kudos", "me")),
        ("help", ("help", "")),
        ("", ("help", "")),
        ("pulse results", ("pulse", "results")),
        ("rewards", ("rewards", "")),
        ("hello there", None),
    ],
)
def test_route(text: str, expected: tuple[str, str] | None) -> None:
    assert route(text) == expected
