"""Which small teams are shown together, so that every manager sees some results.

A team with fewer respondents than the anonymity threshold is pooled with the other small teams under its manager's
manager; a pool still too small climbs to that person's manager, and so on up the directory's management tree, until
it reaches the threshold. Only rounds of the same period are pooled, so that a roll-up never mixes two pulses (and
one pulse of a team cannot be subtracted from another). A pool that reaches the top still too small joins the
smallest roll-up of its period, else stays hidden. Whether a roll-up is actually shown is decided, like every other
figure, by `handlers.pulse.suppression`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

Rollup = frozenset[int]


@dataclass(frozen=True)
class Hierarchy:
    """The management tree: each team's manager and each person's manager (person ids)."""

    team_manager: Mapping[int, int | None] = field(default_factory=dict)
    manager_of: Mapping[int, int] = field(default_factory=dict)

    def above(self, person: int | None) -> int | None:
        """The manager of `person` (None at the top of the tree)."""
        return None if person is None else self.manager_of.get(person)

    def up(self, person: int | None) -> int | None:
        """Where a pool under `person` climbs next: their manager, or the top when `person` is in a reporting cycle
        (a directory mistake must not keep a pool climbing)."""
        seen: set[int] = set()
        current = self.above(person)
        while current is not None and current not in seen:
            if current == person:
                return None
            seen.add(current)
            current = self.above(current)
        return self.above(person)

    def depth(self, person: int | None) -> int:
        """How many managers sit above `person` (a cycle in the directory counts once)."""
        seen: set[int] = set()
        while person is not None and person not in seen:
            seen.add(person)
            person = self.above(person)
        return len(seen)


def rollups(
    counts: Mapping[int, int], periods: Mapping[int, str], *, threshold: int, hierarchy: Hierarchy
) -> list[Rollup]:
    """The groups of small teams to show together (`counts`: each team's respondents; `periods`: its round's)."""
    pools: dict[tuple[str, int | None], set[int]] = defaultdict(set)
    for team, count in counts.items():
        if 0 < count < threshold and team in periods:
            start = hierarchy.above(hierarchy.team_manager.get(team))
            pools[(periods[team], start)].add(team)
    done: list[set[int]] = []
    while True:
        for key in [key for key, teams in pools.items() if _size(teams, counts) >= threshold]:
            done.append(pools.pop(key))
        climbing = [key for key in pools if key[1] is not None]
        if not climbing:
            break
        deepest = max(climbing, key=lambda key: (hierarchy.depth(key[1]), str(key)))
        period, person = deepest
        pools[(period, hierarchy.up(person))] |= pools.pop(deepest)
    for (period, _), teams in pools.items():
        same_period = [pool for pool in done if periods[next(iter(pool))] == period]
        if same_period:
            min(same_period, key=lambda pool: (_size(pool, counts), sorted(pool))).update(teams)
    return sorted((frozenset(pool) for pool in done), key=sorted)


def _size(teams: set[int], counts: Mapping[int, int]) -> int:
    return sum(counts.get(team, 0) for team in teams)
