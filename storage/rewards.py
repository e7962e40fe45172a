"""Collective reward queries: rounds, options, votes and the pots that kudos fill (aggregated in SQL)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import and_, col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import votes
from storage.models import KudosRecipient, Person, RewardOption, RewardRound, RewardVote
from storage.models.rewards import ACTIVE, ORG_SCOPE, REACHED, TEAM_SCOPE
from storage.upsert import insert_ignore

# Rounds per `IN (…)` list, well under the 32,767 parameters a statement may carry.
ROUNDS_PER_STATEMENT = 5_000
# The PostgreSQL advisory lock that serialises reward proposals ("bravorwd1").
PROPOSALS_LOCK = 0x6272617672776431


def scope_key(team_id: int | None) -> str:
    """`team:<id>` for a team's rounds, `org` for the organisation's."""
    return f"team:{team_id}" if team_id is not None else ORG_SCOPE


async def current_rounds(session: AsyncSession, *, scopes: Collection[str] | None = None) -> dict[str, RewardRound]:
    """The latest round of every scope that has one (or of `scopes` only), keyed by scope."""
    latest_numbers = select(RewardRound.scope_key, func.max(RewardRound.number).label("number"))
    if scopes is not None:
        latest_numbers = latest_numbers.where(col(RewardRound.scope_key).in_(sorted(set(scopes))))
    latest = latest_numbers.group_by(col(RewardRound.scope_key)).subquery()
    statement = select(RewardRound).join(
        latest, and_(col(RewardRound.scope_key) == latest.c.scope_key, col(RewardRound.number) == latest.c.number)
    )
    return {row.scope_key: row for row in (await session.exec(statement)).all()}


async def current_round(session: AsyncSession, *, team_id: int | None) -> RewardRound | None:
    statement = (
        select(RewardRound)
        .where(RewardRound.scope_key == scope_key(team_id))
        .order_by(col(RewardRound.number).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def get_round(session: AsyncSession, *, round_id: int) -> RewardRound | None:
    return await session.get(RewardRound, round_id)


async def start_round(session: AsyncSession, *, team_id: int | None, number: int, values: dict[str, object]) -> bool:
    """Create round `number` of a scope unless another process already did (False then)."""
    row = RewardRound.model_validate({"scope_key": scope_key(team_id), "team_id": team_id, "number": number, **values})
    return await insert_ignore(session, RewardRound, row.model_dump(exclude={"id"}))


async def save(session: AsyncSession, row: RewardRound | RewardOption) -> None:
    session.add(row)
    await session.flush()


async def get_option(session: AsyncSession, *, option_id: int) -> RewardOption | None:
    return await session.get(RewardOption, option_id)


async def options_for(session: AsyncSession, *, team_id: int | None) -> list[RewardOption]:
    """Options a scope can vote on: for a team, those offered to every team and its own; else the org's."""
    statement = select(RewardOption).where(col(RewardOption.active))
    if team_id is None:
        statement = statement.where(RewardOption.scope == ORG_SCOPE)
    else:
        statement = statement.where(
            RewardOption.scope == TEAM_SCOPE,
            or_(col(RewardOption.team_id).is_(None), col(RewardOption.team_id) == team_id),
        )
    statement = statement.order_by(col(RewardOption.points), col(RewardOption.id))
    return list((await session.exec(statement)).all())


async def offered_options(session: AsyncSession, *, scope: str, team_id: int | None) -> list[RewardOption]:
    """The active options where a proposal of `scope` for `team_id` would go: the organisation's; a team's own
    and every team's; with no team (an admin's for every team), every team's."""
    if scope == ORG_SCOPE or team_id is not None:
        return await options_for(session, team_id=None if scope == ORG_SCOPE else team_id)
    statement = (
        select(RewardOption)
        .where(col(RewardOption.active), RewardOption.scope == TEAM_SCOPE, col(RewardOption.team_id).is_(None))
        .order_by(col(RewardOption.id))
    )
    return list((await session.exec(statement)).all())


async def lock_proposals(session: AsyncSession) -> None:
    """Serialise reward proposals until the transaction ends, so a look for an identical reward and the insert
    that follows it cannot interleave with another process's: PostgreSQL takes a transaction advisory lock;
    SQLite's write transactions (BEGIN IMMEDIATE) are already one at a time."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.exec(select(func.pg_advisory_xact_lock(PROPOSALS_LOCK)))


async def reached_rounds(session: AsyncSession, *, since: datetime, until: datetime) -> list[RewardRound]:
    """Rounds whose goal was reached (and closed) after `since` and by `until`, in the order they were reached.

    `since` excluded: what a post made at `since` closed itself, it showed then."""
    statement = (
        select(RewardRound)
        .where(RewardRound.status == REACHED, col(RewardRound.ended_at) > since, col(RewardRound.ended_at) <= until)
        .order_by(col(RewardRound.ended_at), col(RewardRound.id))
    )
    return list((await session.exec(statement)).all())


async def recipient_teams_since(session: AsyncSession, *, since: datetime) -> set[int | None]:
    """The teams (None: someone in no team) that received kudos from `since` on: an index range of recent rows."""
    # `team_id + 0`: SQLite would otherwise walk the whole (team_id, …) index to list distinct teams in order,
    # rather than the range of recent rows in (created_at, team_id).
    statement = select(col(KudosRecipient.team_id) + 0).where(col(KudosRecipient.created_at) >= since).distinct()
    return {int(team_id) if team_id is not None else None for team_id in (await session.exec(statement)).all()}


async def all_options(session: AsyncSession) -> list[RewardOption]:
    statement = select(RewardOption).order_by(col(RewardOption.scope), col(RewardOption.team_id), col(RewardOption.id))
    return list((await session.exec(statement)).all())


async def cast_vote(session: AsyncSession, *, round_id: int, option_id: int, person_id: int, now: datetime) -> bool:
    """Record a person's vote in a round, moving an earlier one; True when it is their first vote there."""
    return await votes.cast_vote(
        session, RewardVote, round_id=round_id, option_id=option_id, person_id=person_id, now=now
    )


async def vote_counts(session: AsyncSession, *, round_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """Votes per option in each round."""
    return await votes.vote_counts(session, RewardVote, round_ids=round_ids)


async def vote_of(session: AsyncSession, *, round_id: int, person_id: int) -> int | None:
    return await votes.vote_of(session, RewardVote, round_id=round_id, person_id=person_id)


async def team_pots(session: AsyncSession, *, rounds: Sequence[RewardRound], until: datetime) -> dict[int, int]:
    """Points each active team round has collected: kudos its members received since the round started."""
    ids = [row.id for row in rounds if row.status == ACTIVE and row.team_id is not None and row.id is not None]
    pots = {round_id: 0 for round_id in ids}
    for start in range(0, len(ids), ROUNDS_PER_STATEMENT):
        statement = (
            select(RewardRound.id, func.coalesce(func.sum(KudosRecipient.points), 0))
            .join(
                KudosRecipient,
                and_(
                    col(KudosRecipient.team_id) == col(RewardRound.team_id),
                    col(KudosRecipient.created_at) >= col(RewardRound.started_at),
                    col(KudosRecipient.created_at) < until,
                ),
            )
            .where(col(RewardRound.id).in_(ids[start : start + ROUNDS_PER_STATEMENT]))
            .group_by(col(RewardRound.id))
        )
        rows = (await session.exec(statement)).all()
        pots.update({int(round_id): int(points) for round_id, points in rows if round_id})
    return pots


async def org_pot(session: AsyncSession, *, since: datetime, until: datetime) -> int:
    """Points the whole organisation has collected since `since`."""
    statement = select(func.coalesce(func.sum(KudosRecipient.points), 0)).where(
        col(KudosRecipient.created_at) >= since, col(KudosRecipient.created_at) < until
    )
    return int((await session.exec(statement)).one())


async def admins(session: AsyncSession, *, emails: Sequence[str]) -> list[Person]:
    """Active admins: flagged in the directory or named in the settings."""
    condition: ColumnElement[bool] = col(Person.is_admin).is_(True)
    if emails:
        condition = or_(condition, col(Person.email).in_([email.lower() for email in emails]))
    statement = select(Person).where(condition, col(Person.active)).order_by(col(Person.display_name))
    return list((await session.exec(statement)).all())
