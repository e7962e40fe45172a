"""The team's commitments where people look: `/pulse`, the App Home, the manager digest, and `bravo actions list`.

A commitment stays shown until it has been done for `RECENT_DAYS`, so the team sees what it finished.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.actions.cards import Proposed, commitment_sections, done_choices
from handlers.actions.chat import ballot_card
from handlers.actions.outcome import CheckinView, checkin_views, outcome_json, outcome_lines
from handlers.actions.plans import proposed_items
from handlers.context import Context
from handlers.i18n import Translator
from handlers.messages import Line, Reply, Section
from handlers.policy import Policy
from handlers.routes import CommandHandler
from storage import actions as store
from storage import people as people_store
from storage.models import ActionProposal
from storage.models.actions import DONE

RECENT_DAYS = 30


async def commitments_by_team(
    session: AsyncSession, *, team_ids: Collection[int] | None, now: datetime, policy: Policy
) -> dict[int, list[Proposed]]:
    """Each team's current commitments, those done in the last `RECENT_DAYS` and those whose check-in is open or
    closed in the last `RECENT_DAYS`, each done one with its check-in."""
    since = now - timedelta(days=RECENT_DAYS)
    rows = await store.commitments(session, team_ids=team_ids)
    views = await checkin_views(session, rows, policy=policy, now=now)
    shown = [row for row in rows if row.status != DONE or _recent(row, views.get(row.id or 0), since)]
    found: dict[int, list[Proposed]] = defaultdict(list)
    for item in await proposed_items(session, shown, {}):
        found[item.proposal.team_id].append(replace(item, checkin=views.get(item.proposal.id or 0)))
    for items in found.values():
        items.sort(key=lambda item: (item.proposal.due_on, item.proposal.id or 0))
    return dict(found)


def _recent(row: ActionProposal, view: CheckinView | None, since: datetime) -> bool:
    """A done action stays shown for `RECENT_DAYS`, and again while its check-in is open and after it closed."""
    if row.done_at is not None and row.done_at >= since:
        return True
    result = view.result if view is not None else None
    return result is not None and (not result.closed or result.closes_at >= since)


async def team_commitment_sections(ctx: Context) -> list[Section]:
    """The reader's team's commitments (nothing for someone without a team or a team without any)."""
    return commitment_sections(ctx.t, await _team_commitments(ctx))


async def _team_commitments(ctx: Context) -> list[Proposed]:
    if ctx.actor.team_id is None:
        return []
    found = await commitments_by_team(ctx.session, team_ids=[ctx.actor.team_id], now=ctx.now, policy=ctx.policy)
    return found.get(ctx.actor.team_id, [])


def with_commitments(handler: CommandHandler) -> CommandHandler:
    """`/pulse` followed by the team's plan still voting (with its buttons) and its commitments, so "what could we
    do?" and "what did we decide?" are answered where pulses are, on every platform."""

    async def handle(ctx: Context, text: str) -> Reply:
        answer = await handler(ctx, text)
        if text.strip() or answer.card is None or ctx.actor.team_id is None:
            return answer
        items = await _team_commitments(ctx)
        sections = commitment_sections(ctx.t, items)
        mine = done_choices(ctx.t, [item for item in items if item.owner.id == ctx.actor.id])
        plan = await store.open_plan_of(ctx.session, team_id=ctx.actor.team_id)
        ballot = await ballot_card(ctx, plan) if plan is not None else None
        if not sections and ballot is None:
            return answer
        if ballot is not None:
            title = [Section(text=Line.of(ballot.title))] if ballot.title else []
            sections = [*title, *ballot.sections, *sections]
        choices = (*answer.card.choices, *(ballot.choices if ballot else ()), *mine)
        card = answer.card.model_copy(update={"sections": (*answer.card.sections, *sections), "choices": choices})
        return answer.model_copy(update={"card": card})

    return handle


async def actions_json(
    session: AsyncSession, *, team_ids: Collection[int] | None, policy: Policy, now: datetime
) -> list[dict[str, Any]]:
    """Every proposal with its team, owner, due date, status, votes and, once done, its check-in, for
    `bravo actions list --json`."""
    rows = await store.all_proposals(session, team_ids=team_ids)
    teams = {team.id: team.name for team in await people_store.all_teams(session)}
    owners = {p.id: p.display_name for p in await people_store.people_by_ids(session, ids=[r.owner_id for r in rows])}
    views = await checkin_views(session, rows, policy=policy, now=now)
    votes: dict[int, dict[int, int]] = {}
    for plan_id in {row.plan_id for row in rows}:
        votes[plan_id] = await store.vote_counts(session, plan_id=plan_id)
    return [
        {
            "id": row.id,
            "team": teams.get(row.team_id, str(row.team_id)),
            "action": row.text,
            "owner": owners.get(row.owner_id, ""),
            "due": row.due_on.isoformat(),
            "status": row.status,
            "votes": votes.get(row.plan_id, {}).get(row.id or 0, 0),
            "committed_at": row.committed_at.isoformat() if row.committed_at else None,
            "done_at": row.done_at.isoformat() if row.done_at else None,
            "checkin": outcome_json(view) if (view := views.get(row.id or 0)) is not None else None,
        }
        for row in rows
    ]


async def checkin_texts(
    session: AsyncSession, *, team_ids: Collection[int] | None, policy: Policy, now: datetime, t: Translator
) -> dict[int, list[str]]:
    """Each done action's check-in as `bravo actions list` writes it under the action: the answer, then the trend."""
    rows = await store.all_proposals(session, team_ids=team_ids)
    views = await checkin_views(session, rows, policy=policy, now=now)
    return {proposal_id: outcome_lines(t, view) for proposal_id, view in views.items()}
