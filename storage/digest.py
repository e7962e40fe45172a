"""Read-only aggregates for digests, batched over many teams: one GROUP BY per figure, never a loop per kudos.

Every function takes the teams and the time window `[since, until)` and answers for all of them at once, so the
Monday-morning run for thousands of managers costs a handful of queries per time zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists
from sqlmodel import and_, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Kudos, KudosRecipient, KudosValue, Person

CHUNK = 500


@dataclass(frozen=True)
class KudosTally:
    """A team's week in kudos received: how many, by how many of its members, worth how many points."""

    kudos: int = 0
    receivers: int = 0
    points: int = 0


@dataclass(frozen=True)
class Highlight:
    kudos_id: int
    giver_id: int
    message: str
    points: int
    created_at: datetime
    recipient_ids: tuple[int, ...]


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[start : start + CHUNK] for start in range(0, len(unique), CHUNK)]


def _in_window(column: Any, since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(column >= since, column < until)


async def team_sizes(session: AsyncSession, *, team_ids: Sequence[int]) -> dict[int, int]:
    """Active people per team (bots excluded)."""
    sizes: dict[int, int] = {}
    for chunk in _chunks(team_ids):
        statement = (
            select(Person.team_id, func.count())
            .where(col(Person.team_id).in_(chunk), col(Person.active), col(Person.is_bot).is_(False))
            .group_by(col(Person.team_id))
        )
        sizes.update({int(team): int(count) for team, count in (await session.exec(statement)).all() if team})
    return sizes


async def kudos_tallies(
    session: AsyncSession, *, team_ids: Sequence[int], since: datetime, until: datetime
) -> dict[int, KudosTally]:
    """Kudos received by each team's members in the window (the recipient's team at the time counts)."""
    tallies: dict[int, KudosTally] = {}
    for chunk in _chunks(team_ids):
        statement = (
            select(
                KudosRecipient.team_id,
                func.count(func.distinct(KudosRecipient.kudos_id)),
                func.count(func.distinct(KudosRecipient.recipient_id)),
                func.coalesce(func.sum(KudosRecipient.points), 0),
            )
            .where(col(KudosRecipient.team_id).in_(chunk), _in_window(col(KudosRecipient.created_at), since, until))
            .group_by(col(KudosRecipient.team_id))
        )
        for team, kudos, receivers, points in (await session.exec(statement)).all():
            if team is not None:
                tallies[int(team)] = KudosTally(kudos=int(kudos), receivers=int(receivers), points=int(points))
    return tallies


async def givers_per_team(
    session: AsyncSession, *, team_ids: Sequence[int], since: datetime, until: datetime
) -> dict[int, int]:
    """How many members of each team recognised someone in the window."""
    givers: dict[int, int] = {}
    for chunk in _chunks(team_ids):
        statement = (
            select(Person.team_id, func.count(func.distinct(Kudos.giver_id)))
            .join(Person, col(Person.id) == col(Kudos.giver_id))
            .where(col(Person.team_id).in_(chunk), _in_window(col(Kudos.created_at), since, until))
            .group_by(col(Person.team_id))
        )
        givers.update({int(team): int(count) for team, count in (await session.exec(statement)).all() if team})
    return givers


async def top_values(
    session: AsyncSession, *, team_ids: Sequence[int], since: datetime, until: datetime, limit: int = 3
) -> dict[int, list[tuple[str, int]]]:
    """The company values most celebrated in kudos each team received, with how many kudos named them."""
    counts: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for chunk in _chunks(team_ids):
        statement = (
            select(KudosRecipient.team_id, KudosValue.value, func.count(func.distinct(KudosValue.kudos_id)))
            .join(KudosRecipient, col(KudosRecipient.kudos_id) == col(KudosValue.kudos_id))
            .where(col(KudosRecipient.team_id).in_(chunk), _in_window(col(KudosRecipient.created_at), since, until))
            .group_by(col(KudosRecipient.team_id), col(KudosValue.value))
        )
        for team, value, count in (await session.exec(statement)).all():
            if team is not None:
                counts[int(team)].append((str(value), int(count)))
    return {team: sorted(items, key=lambda item: (-item[1], item[0]))[:limit] for team, items in counts.items()}


async def highlights(
    session: AsyncSession, *, team_ids: Sequence[int], since: datetime, until: datetime, limit: int = 3
) -> dict[int, list[Highlight]]:
    """Each team's most generous kudos of the window (points to the team, then newest), `limit` per team."""
    picked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for chunk in _chunks(team_ids):
        per_kudos = (
            select(
                col(KudosRecipient.team_id).label("team_id"),
                col(KudosRecipient.kudos_id).label("kudos_id"),
                func.sum(KudosRecipient.points).label("points"),
                func.max(KudosRecipient.created_at).label("latest"),
            )
            .where(col(KudosRecipient.team_id).in_(chunk), _in_window(col(KudosRecipient.created_at), since, until))
            .group_by(col(KudosRecipient.team_id), col(KudosRecipient.kudos_id))
            .subquery()
        )
        ranked = select(
            per_kudos.c.team_id,
            per_kudos.c.kudos_id,
            func.row_number()
            .over(
                partition_by=per_kudos.c.team_id,
                order_by=(per_kudos.c.points.desc(), per_kudos.c.latest.desc(), per_kudos.c.kudos_id.desc()),
            )
            .label("rank"),
        ).subquery()
        statement = select(ranked.c.team_id, ranked.c.kudos_id, ranked.c.rank).where(ranked.c.rank <= limit)
        for team, kudos_id, rank in (await session.exec(statement)).all():
            picked[int(team)].append((int(rank), int(kudos_id)))
    kudos_ids = [kudos_id for items in picked.values() for _, kudos_id in items]
    rows = await _kudos_with_recipients(session, kudos_ids)
    result: dict[int, list[Highlight]] = {}
    for team, items in picked.items():
        result[team] = [rows[kudos_id] for _, kudos_id in sorted(items) if kudos_id in rows]
    return result


async def _kudos_with_recipients(session: AsyncSession, kudos_ids: Sequence[int]) -> dict[int, Highlight]:
    found: dict[int, Highlight] = {}
    for chunk in _chunks(kudos_ids):
        kudos_rows = (await session.exec(select(Kudos).where(col(Kudos.id).in_(chunk)))).all()
        recipients: dict[int, list[int]] = defaultdict(list)
        statement = (
            select(KudosRecipient.kudos_id, KudosRecipient.recipient_id)
            .where(col(KudosRecipient.kudos_id).in_(chunk))
            .order_by(col(KudosRecipient.id))
        )
        for kudos_id, recipient_id in (await session.exec(statement)).all():
            recipients[int(kudos_id)].append(int(recipient_id))
        for kudos in kudos_rows:
            assert kudos.id is not None
            found[kudos.id] = Highlight(
                kudos_id=kudos.id,
                giver_id=kudos.giver_id,
                message=kudos.message,
                points=kudos.points,
                created_at=kudos.created_at,
                recipient_ids=tuple(recipients[kudos.id]),
            )
    return found


async def unrecognised_members(
    session: AsyncSession, *, team_ids: Sequence[int], since: datetime
) -> dict[int, list[Person]]:
    """Active members of each team who received no kudos since `since` (the manager's private nudge)."""
    quiet: dict[int, list[Person]] = defaultdict(list)
    for chunk in _chunks(team_ids):
        recognised = exists().where(
            col(KudosRecipient.recipient_id) == col(Person.id), col(KudosRecipient.created_at) >= since
        )
        statement = (
            select(Person)
            .where(col(Person.team_id).in_(chunk), col(Person.active), col(Person.is_bot).is_(False), ~recognised)
            .order_by(col(Person.display_name))
        )
        for person in (await session.exec(statement)).all():
            if person.team_id is not None:
                quiet[person.team_id].append(person)
    return dict(quiet)
