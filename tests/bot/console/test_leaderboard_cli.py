"""`bravo leaderboard` after kudos given in the console, as a newcomer would run them."""

from __future__ import annotations

import json

from tests.bot.test_cli import bravo
from tests.conftest import both_engines


@both_engines
def test_leaderboard_json_counts_console_kudos(database_url: str) -> None:
    given = bravo("run", database_url=database_url, stdin="/kudos @Claire 2 thanks for the review #teamwork\n")
    assert given.returncode == 0, given.stderr
    result = bravo("leaderboard", "--period", "week", "--json", database_url=database_url)
    assert result.returncode == 0, result.stderr
    board = json.loads(result.stdout)
    assert board["period"] == "week"
    assert [(team["team"], team["points"]) for team in board["teams"]] == [("Engineering", 2)]
    (claire,) = board["people"]
    assert claire["name"] == "Claire Petit" and claire["email"] == "claire@demo.bravo" and claire["points"] == 2
    assert claire["slack_id"] is None and claire["teams_id"] is None
    text = bravo("leaderboard", "--period", "all", database_url=database_url, BRAVO_LANGUAGE="fr")
    assert "Classement, depuis le début" in text.stdout and "Engineering  2 points" in text.stdout
