"""Fixtures of the adversary tests: a seven-person team on Slack or on Teams, a pulse just sent to them."""

from __future__ import annotations

import pytest

from tests.anonymity.slack_team import SlackTeam, slack_team
from tests.anonymity.teams_team import TeamsTeam, teams_team

__all__ = ["slack_team", "team", "teams_team"]


@pytest.fixture(params=["slack", "teams"])
def team(request: pytest.FixtureRequest, database_url: str) -> SlackTeam | TeamsTeam:
    """The team on each platform in turn (on the engine `database_url` names), checked through both adapters."""
    found: SlackTeam | TeamsTeam = request.getfixturevalue(f"{request.param}_team")
    return found
