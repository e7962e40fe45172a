"""Collective rewards: team pots filled by kudos, goals chosen by vote, and the team-only leaderboard.

The rest of Bravo imports this package only.
"""

from __future__ import annotations

from handlers.rewards.commands import ROUTES, goal_card
from handlers.rewards.leaderboard import LEADERBOARD, queue_leaderboard
from handlers.rewards.pots import RewardError, Standing, progress_bar, propose, set_goal, standings, withdraw

__all__ = [
    "LEADERBOARD",
    "ROUTES",
    "RewardError",
    "Standing",
    "goal_card",
    "progress_bar",
    "propose",
    "queue_leaderboard",
    "set_goal",
    "standings",
    "withdraw",
]
