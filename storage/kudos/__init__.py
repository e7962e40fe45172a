"""Storage of kudos: storing them (`entries`), a person's history, leaderboard totals, reward pots, and the
per-period summary (`summary`, `periods`, `rollup`) that leaderboards and pots read."""
