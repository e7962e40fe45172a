"""Bravo's platform-neutral core: use cases, command parsing, neutral messages and translations."""
