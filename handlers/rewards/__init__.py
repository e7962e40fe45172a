"""Collective rewards: team pots filled by kudos, goals chosen by vote, and the team-only leaderboard."""
