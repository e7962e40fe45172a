"""What Slack told Bravo a moment ago, kept briefly: a user group's members, whether a conversation is public, which
workspace (and organisation) Bravo is installed in.

Slack is the source of truth for each. A group's members change as people join and leave, a channel can turn
private: answers are kept for `FRESH_FOR` only, so a burst of kudos asks Slack once and a change shows within a
minute. Nothing depends on it but speed: another process, or a restart, asks Slack again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

FRESH_FOR = timedelta(seconds=60)
MAX_ENTRIES = 4096


class Brief(Generic[K, V]):
    """A map whose entries are forgotten `fresh_for` after they were put (and the oldest first when it is full)."""

    def __init__(self, fresh_for: timedelta = FRESH_FOR, max_entries: int = MAX_ENTRIES) -> None:
        self.fresh_for = fresh_for
        self.max_entries = max_entries
        self._entries: dict[K, tuple[datetime, V]] = {}

    def get(self, key: K, now: datetime) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if now >= entry[0]:
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: K, value: V, now: datetime) -> None:
        self._entries.pop(key, None)
        while len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (now + self.fresh_for, value)


@dataclass(frozen=True)
class Home:
    """The workspace Bravo is installed in (`auth.test`), and its Enterprise Grid organisation if any."""

    team_id: str | None
    enterprise_id: str | None


@dataclass
class SlackMemory:
    """The brief answers one Slack adapter keeps (see the module)."""

    groups: Brief[str, tuple[str, ...]] = field(default_factory=Brief)
    conversations: Brief[str, str] = field(default_factory=Brief)
    # Whether a conversation may hold people from another organisation (`bot.slack.conversations`).
    shared: Brief[str, bool] = field(default_factory=Brief)
    # Whether a directory person still waits to be linked to Slack (`bot.slack.people.SlackDirectory.fetch`).
    unlinked: Brief[str, bool] = field(default_factory=Brief)
    home: Home | None = None
