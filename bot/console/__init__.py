"""The terminal chat: Bravo without Slack or Teams, for a first try and for demos."""
