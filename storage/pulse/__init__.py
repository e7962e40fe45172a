"""Storage of pulse checks: bank, plans, rounds, participation and ballots, and the anonymous answers."""
