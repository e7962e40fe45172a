"""What a person types to Bravo in Teams, mapped onto the same commands as Slack's `/kudos`, `/pulse` and `/help`."""

from __future__ import annotations

KUDOS_WORDS = frozenset({"leaderboard", "me", "privacy"})
HELP_WORDS = frozenset({"", "help", "?", "aide"})


def route(text: str) -> tuple[str, str] | None:
    """(command, its text) for a message such as `kudos <@4> thanks` or `leaderboard week`; None if unknown.

    A leading slash is forgiven, since people used to Slack type one out of habit.
    """
    words = text.strip().split(maxsplit=1)
    first = words[0].lstrip("/").lower() if words else ""
    rest = words[1].strip() if len(words) > 1 else ""
    if first in HELP_WORDS:
        return "help", ""
    if first in ("kudos", "pulse", "rewards"):
        return first, rest
    if first in KUDOS_WORDS:
        return "kudos", f"{first} {rest}".strip()
    return None
