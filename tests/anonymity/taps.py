"""The team both platforms use, what its members tap, and the ballot tokens the platform shows them.

Seven members and their manager (who is not in the team). Each answers a three-question pulse in an order that is not
the order of their ids, then one goes back and changes an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

SECRET_KEY = "anonymity-tests-secret-key-0123456789abcdef"
TEAM = "Platform"
# (Slack user id, username, name): distinctive, so that no random token or id can contain one by chance.
MEMBERS = [
    ("UQX7K2M4A", "camille.dubois", "Camille Dubois"),
    ("UQX7K2M4B", "yannick.okafor", "Yannick Okafor"),
    ("UQX7K2M4C", "ingrid.solberg", "Ingrid Solberg"),
    ("UQX7K2M4D", "mateo.alvarez", "Mateo Alvarez"),
    ("UQX7K2M4E", "priya.raman", "Priya Raman"),
    ("UQX7K2M4F", "tomasz.wojcik", "Tomasz Wojcik"),
    ("UQX7K2M4G", "aiko.tanaka", "Aiko Tanaka"),
]
MANAGER = ("UQX7K2M4M", "morgan.hale", "Morgan Hale")

# Each column is one member; each row one question, tapped in ORDER.
ANSWERS = [[4, 2, 5, 3, 1, 4, 2], [3, 3, 1, 5, 2, 4, 4], [5, 1, 2, 2, 3, 4, 5]]
ORDER = [3, 0, 6, 1, 5, 2, 4]
CHANGER = 5

BALLOT = re.compile(r"\d+\.\d+\.\d+\.([A-Za-z0-9_-]{16,64})(?::\d+)?")
VALUE_KEYS = ("value", "private_metadata")


def email(username: str) -> str:
    return f"{username}@acme.example"


def email_of(user: str) -> str:
    """The directory email of a member, by Slack user id."""
    return next(email(username) for uid, username, _ in [*MEMBERS, MANAGER] if uid == user)


def script(users: list[str]) -> list[tuple[str, str]]:
    """(who, which button) for every tap: three answers each, then one person goes back and changes one."""
    taps = [(users[person], str(ANSWERS[question][person])) for question in range(3) for person in ORDER]
    return [*taps, (users[CHANGER], "Previous question"), (users[CHANGER], "1")]


def _values(item: Any) -> Iterator[str]:
    """Button values and modal metadata anywhere in what was sent to the platform."""
    if isinstance(item, dict):
        for key, value in item.items():
            if key in VALUE_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _values(value)
    elif isinstance(item, list):
        for value in item:
            yield from _values(value)


def ballot_tokens(sent: Any) -> set[str]:
    """The ballot tokens in buttons and forms (`round.position.version.token`, `…token:4` on an answer) of whatever
    was sent to the platform."""
    found: set[str] = set()
    for value in _values(sent):
        ballot = BALLOT.fullmatch(value)
        if ballot:
            found.add(ballot.group(1))
    return found
