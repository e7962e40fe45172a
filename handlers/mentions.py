"""Canonical mentions in command text: adapters rewrite platform mentions into these before the core parses.

Slack's `<@U123|bob>`, Teams' `<at>Bob</at>` and the console's `@Bob` all become `<@42>` (Bravo person id 42);
a Slack user group or a team becomes `<!team:7>` (Bravo team id 7). The core therefore parses one grammar and
never sees a platform id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ANY_TOKEN = re.compile(r"<@(\d{1,18})>|<!team:(\d{1,18})>")


def person_token(person_id: int) -> str:
    return f"<@{person_id}>"


def team_token(team_id: int) -> str:
    return f"<!team:{team_id}>"


@dataclass(frozen=True)
class Mentions:
    """The people and teams a text mentions, in order of first appearance, without repeats."""

    people: tuple[int, ...]
    teams: tuple[int, ...]


def find_mentions(text: str) -> Mentions:
    people: dict[int, None] = {}
    teams: dict[int, None] = {}
    for match in ANY_TOKEN.finditer(text):
        if match.group(1):
            people[int(match.group(1))] = None
        else:
            teams[int(match.group(2))] = None
    return Mentions(people=tuple(people), teams=tuple(teams))
