"""Peer recognition: giving kudos, the rules they follow, their cards, notifications and leaderboards."""
