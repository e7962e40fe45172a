"""Bravo's entry points and platform adapters (Slack, Teams, console)."""
