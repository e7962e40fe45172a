"""Collective rewards: team pots filled by kudos, goals chosen by vote, celebrated when reached, and the team-only
leaderboard.

The rest of Bravo imports this package only.
"""

from __future__ import annotations

from handlers.rewards.celebrate import CELEBRATION, REWARD_DUE, celebrate_reached
from handlers.rewards.commands import ROUTES, goal_card
from handlers.rewards.leaderboard import LEADERBOARD, queue_leaderboard
from handlers.rewards.pots import RewardError, Standing, progress_bar, reached_since, standings
from handlers.rewards.proposals import Proposal, propose, set_goal, withdraw

__all__ = [
    "CELEBRATION",
    "LEADERBOARD",
    "REWARD_DUE",
    "ROUTES",
    "Proposal",
    "RewardError",
    "Standing",
    "celebrate_reached",
    "goal_card",
    "progress_bar",
    "propose",
    "queue_leaderboard",
    "reached_since",
    "set_goal",
    "standings",
    "withdraw",
]
