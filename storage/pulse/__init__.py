"""Storage of pulse checks: bank, plans, rounds, invitations and respondents, and the anonymous answers."""
