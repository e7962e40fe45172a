"""Team action plan queries: plans, proposals and commitments, votes (through `storage.votes`), suggestions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import votes
from storage.models import ActionCheckin, ActionPlan, ActionProposal, ActionSuggestion, ActionVote, PulseRound
from storage.models.actions import COMMITTED, DONE, VOTING
from storage.pulse.rounds import chunks
from storage.upsert import insert_ignore


async def open_plan(session: AsyncSession, *, plan: ActionPlan) -> ActionPlan | None:
    """Store a team's plan for a period unless one exists (another run opened it): the new plan, else None."""
    if not await insert_ignore(session, ActionPlan, plan.model_dump(exclude={"id"})):
        return None
    return await plan_for(session, team_id=plan.team_id, period=plan.period)


async def plan_for(session: AsyncSession, *, team_id: int, period: str) -> ActionPlan | None:
    statement = select(ActionPlan).where(ActionPlan.team_id == team_id, ActionPlan.period == period)
    return (await session.exec(statement)).first()


async def open_plan_of(session: AsyncSession, *, team_id: int) -> ActionPlan | None:
    """The team's plan still voting, if any (the latest)."""
    statement = select(ActionPlan).where(ActionPlan.team_id == team_id, ActionPlan.status == VOTING)
    return (await session.exec(statement.order_by(col(ActionPlan.id).desc()).limit(1))).first()


async def get_plan(session: AsyncSession, *, plan_id: int) -> ActionPlan | None:
    return await session.get(ActionPlan, plan_id)


async def plans_to_decide(session: AsyncSession, *, now: datetime) -> list[ActionPlan]:
    """Plans whose vote has ended and whose commitments are not decided yet."""
    statement = select(ActionPlan).where(ActionPlan.status == VOTING, col(ActionPlan.vote_closes_at) <= now)
    return list((await session.exec(statement.order_by(col(ActionPlan.id)))).all())


async def save(session: AsyncSession, row: ActionPlan | ActionProposal | ActionSuggestion | ActionCheckin) -> None:
    session.add(row)
    await session.flush()


async def get_proposal(session: AsyncSession, *, proposal_id: int) -> ActionProposal | None:
    return await session.get(ActionProposal, proposal_id)


async def proposals_of(session: AsyncSession, *, plan_id: int) -> list[ActionProposal]:
    statement = select(ActionProposal).where(ActionProposal.plan_id == plan_id).order_by(col(ActionProposal.id))
    return list((await session.exec(statement)).all())


async def commitments(
    session: AsyncSession, *, team_ids: Collection[int] | None = None, statuses: Sequence[str] = (COMMITTED, DONE)
) -> list[ActionProposal]:
    """Commitments (and done ones) of the given teams, or of every team; due first."""
    statement = select(ActionProposal).where(col(ActionProposal.status).in_(list(statuses)))
    if team_ids is not None:
        statement = statement.where(col(ActionProposal.team_id).in_(sorted(team_ids)))
    statement = statement.order_by(col(ActionProposal.due_on), col(ActionProposal.id))
    return list((await session.exec(statement)).all())


async def all_proposals(session: AsyncSession, *, team_ids: Collection[int] | None = None) -> list[ActionProposal]:
    """Every proposal, for the operators' list."""
    statement = select(ActionProposal)
    if team_ids is not None:
        statement = statement.where(col(ActionProposal.team_id).in_(sorted(team_ids)))
    return list((await session.exec(statement.order_by(col(ActionProposal.id)))).all())


async def due_between(session: AsyncSession, *, first: date, last: date) -> list[ActionProposal]:
    """Commitments not done whose due date is from `first` to `last`: their owners get a reminder."""
    statement = select(ActionProposal).where(
        ActionProposal.status == COMMITTED, col(ActionProposal.due_on) >= first, col(ActionProposal.due_on) <= last
    )
    return list((await session.exec(statement.order_by(col(ActionProposal.id)))).all())


async def cast_vote(session: AsyncSession, *, plan_id: int, proposal_id: int, person_id: int, now: datetime) -> bool:
    return await votes.cast_vote(
        session, ActionVote, round_id=plan_id, option_id=proposal_id, person_id=person_id, now=now
    )


async def vote_counts(session: AsyncSession, *, plan_id: int) -> dict[int, int]:
    """Votes per proposal in a plan."""
    return (await votes.vote_counts(session, ActionVote, round_ids=[plan_id])).get(plan_id, {})


async def vote_of(session: AsyncSession, *, plan_id: int, person_id: int) -> int | None:
    return await votes.vote_of(session, ActionVote, round_id=plan_id, person_id=person_id)


async def add_suggestion(session: AsyncSession, *, driver: str, language: str, text: str) -> bool:
    """An admin's suggestion; False when the same one is already there."""
    return await insert_ignore(session, ActionSuggestion, {"driver": driver, "language": language, "text": text})


async def suggestions(session: AsyncSession, *, driver: str, language: str) -> list[str]:
    statement = (
        select(ActionSuggestion.text)
        .where(ActionSuggestion.driver == driver, ActionSuggestion.language == language)
        .order_by(col(ActionSuggestion.id))
    )
    return list((await session.exec(statement)).all())


async def counts_between(session: AsyncSession, *, since: datetime, until: datetime) -> tuple[int, int]:
    """How many actions were committed (started) and marked done in `[since, until)`, over every team."""
    rows = (await session.exec(select(ActionProposal.committed_at, ActionProposal.done_at))).all()
    started = sum(1 for committed, _ in rows if committed is not None and since <= committed < until)
    done = sum(1 for _, finished in rows if finished is not None and since <= finished < until)
    return started, done


# -- check-ins ----------------------------------------------------------------------------------------------


async def done_without_checkin(session: AsyncSession, *, since: datetime, until: datetime) -> list[ActionProposal]:
    """Commitments marked done in `[since, until]` that have no check-in yet: theirs is due."""
    statement = (
        select(ActionProposal)
        .outerjoin(ActionCheckin, col(ActionCheckin.proposal_id) == col(ActionProposal.id))
        .where(
            ActionProposal.status == DONE,
            col(ActionProposal.done_at) >= since,
            col(ActionProposal.done_at) <= until,
            col(ActionCheckin.proposal_id).is_(None),
        )
    )
    return list((await session.exec(statement.order_by(col(ActionProposal.id)))).all())


async def add_checkin(session: AsyncSession, *, checkin: ActionCheckin) -> bool:
    """Store an action's check-in unless it has one (another run stored it first)."""
    return await insert_ignore(session, ActionCheckin, checkin.model_dump())


async def checkins_of(session: AsyncSession, *, proposal_ids: Collection[int]) -> dict[int, ActionCheckin]:
    """The check-ins of these actions, by action (in statement-sized lists: a digest reads every team's)."""
    found: dict[int, ActionCheckin] = {}
    for chunk in chunks(list(proposal_ids)):
        statement = select(ActionCheckin).where(col(ActionCheckin.proposal_id).in_(chunk))
        found.update((row.proposal_id, row) for row in (await session.exec(statement)).all())
    return found


async def checkins_to_announce(session: AsyncSession) -> list[ActionCheckin]:
    """Check-ins whose round has closed and whose outcome the team has not been told yet."""
    statement = (
        select(ActionCheckin)
        .join(PulseRound, col(PulseRound.id) == col(ActionCheckin.round_id))
        .where(col(ActionCheckin.announced_at).is_(None), col(PulseRound.closed))
    )
    return list((await session.exec(statement.order_by(col(ActionCheckin.proposal_id)))).all())


async def claim_announcement(session: AsyncSession, *, proposal_id: int, now: datetime) -> bool:
    """True once per check-in: the flag is set in the transaction that queues the outcome it guards."""
    result = await session.exec(
        update(ActionCheckin)
        .where(col(ActionCheckin.proposal_id) == proposal_id, col(ActionCheckin.announced_at).is_(None))
        .values(announced_at=now)
    )
    return bool(result.rowcount)
