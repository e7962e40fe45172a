"""Storage of kudos: the entries themselves and the per-period summary that leaderboards and pots read."""
