"""Opening a team's action plan when its pulse results are out, and deciding its commitments when the vote ends.

`open_plans` reads the pulse report (the one reader that applies the anonymity rule): a team hidden by the
threshold, or whose round is still open, gets no plan and no figure. A plan is keyed by team and pulse period, so
running it twice (the pulse job, `bravo pulse close`, two replicas) opens and posts it once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.actions.cards import PLAN_KIND, Proposed, decided_card, plan_card
from handlers.actions.focus import Focus, focus, pillar_of
from handlers.actions.suggestions import suggestions_for
from handlers.context import person_ref, translator_for_person
from handlers.delivery import (
    NewDelivery,
    channel_delivery,
    person_deliveries,
    queue,
    sealed_person_deliveries,
    team_channels,
)
from handlers.i18n import Translator
from handlers.messages import Card
from handlers.policy import Policy
from handlers.pulse import GroupResult, pulse_report
from storage import actions as store
from storage import people as people_store
from storage.models import ActionPlan, ActionProposal, Person, Team
from storage.models.actions import COMMITTED, DECIDED, PROPOSED, VOTING
from storage.votes import backed_by_majority

MAX_COMMITMENTS = 2
CardFor = Callable[[Translator], Awaitable[Card]]


async def open_plans(session: AsyncSession, *, policy: Policy, now: datetime) -> int:
    """Open (and post) a plan for every team whose latest pulse is closed and shown; returns how many opened."""
    report = await pulse_report(session, policy=policy, now=now)
    opened = 0
    for group in report.teams:
        chosen = _focus_of(group)
        if chosen is None or group.team_id is None or group.period is None:
            continue
        plan = ActionPlan(
            team_id=group.team_id,
            period=group.period,
            driver=chosen.driver,
            score=round(chosen.score, 2),
            vote_closes_at=now + timedelta(days=policy.action_vote_days),
            created_at=now,
        )
        stored = await store.open_plan(session, plan=plan)
        team = await people_store.get_team(session, team_id=group.team_id)
        if stored is None or team is None:
            continue
        opened += 1

        await tell_team(
            session,
            team=team,
            policy=policy,
            kind=PLAN_KIND,
            key=f"{PLAN_KIND}:{stored.id}",
            card_for=_invitation(session, team, stored, group),
        )
    return opened


def _invitation(session: AsyncSession, team: Team, plan: ActionPlan, group: GroupResult) -> CardFor:
    """The invitation in a reader's language: the team's scores, its focus, ideas and the propose button."""

    async def card_for(t: Translator) -> Card:
        ideas = await suggestions_for(session, driver=plan.driver, language=t.language)
        return plan_card(t, team=team.name, plan=plan, focus=plan_focus(plan), drivers=group.drivers, suggestions=ideas)

    return card_for


def _focus_of(group: GroupResult) -> Focus | None:
    """A focus only for a closed round shown above the threshold."""
    if group.hidden or not group.closed:
        return None
    return focus(group.drivers, group.trends)


def plan_focus(plan: ActionPlan) -> Focus:
    """The focus a plan was opened with, as the team saw it."""
    return Focus(plan.driver, plan.score or 0.0, pillar_of(plan.driver))


async def proposed_items(
    session: AsyncSession, proposals: Sequence[ActionProposal], counts: dict[int, int]
) -> list[Proposed]:
    """Proposals with their owners and votes, most voted first."""
    owners = {p.id: p for p in await people_store.people_by_ids(session, ids=[item.owner_id for item in proposals])}
    items = [
        Proposed(item, person_ref(owners[item.owner_id]), counts.get(item.id or 0, 0))
        for item in proposals
        if item.owner_id in owners
    ]
    return sorted(items, key=lambda item: (-item.votes, item.proposal.id or 0))


async def commit(session: AsyncSession, plan: ActionPlan, proposal: ActionProposal, *, now: datetime) -> None:
    """Make a proposal one of the team's commitments; the plan is decided once it has its one or two."""
    proposal.status, proposal.committed_at = COMMITTED, now
    await store.save(session, proposal)
    chosen = [item for item in await store.proposals_of(session, plan_id=plan.id or 0) if item.status != PROPOSED]
    if len(chosen) >= MAX_COMMITMENTS:
        plan.status = DECIDED
        await store.save(session, plan)


async def commit_if_backed(
    session: AsyncSession, plan: ActionPlan, proposal: ActionProposal, *, members: int, now: datetime
) -> bool:
    """A proposal backed by more than half of the team becomes a commitment at once (the vote's rule for rewards)."""
    votes = (await store.vote_counts(session, plan_id=plan.id or 0)).get(proposal.id or 0, 0)
    if plan.status != VOTING or proposal.status != PROPOSED or not backed_by_majority(votes, members):
        return False
    await commit(session, plan, proposal, now=now)
    return True


async def decide_due(session: AsyncSession, *, policy: Policy, now: datetime) -> int:
    """Close the votes that ended: the most voted (one or two, with at least one vote) become commitments, and the
    team is told. Ties go to the earlier proposal. Returns how many plans were decided."""
    decided = 0
    for plan in await store.plans_to_decide(session, now=now):
        proposals = await store.proposals_of(session, plan_id=plan.id or 0)
        counts = await store.vote_counts(session, plan_id=plan.id or 0)
        taken = sum(1 for item in proposals if item.status != PROPOSED)
        ranked = sorted(
            (item for item in proposals if item.status == PROPOSED and counts.get(item.id or 0)),
            key=lambda item: (-counts[item.id or 0], item.id or 0),
        )
        chosen = ranked[: max(0, MAX_COMMITMENTS - taken)]  # those a majority chose were announced already
        for item in chosen:
            await commit(session, plan, item, now=now)
        plan.status = DECIDED
        await store.save(session, plan)
        decided += 1
        team = await people_store.get_team(session, team_id=plan.team_id)
        if chosen and team is not None:
            items = await proposed_items(session, chosen, counts)

            async def card_for(t: Translator, team: Team = team, items: list[Proposed] = items) -> Card:
                return decided_card(t, team=team.name, items=items)

            await tell_team(
                session, team=team, policy=policy, kind=PLAN_KIND, key=f"action_decided:{plan.id}", card_for=card_for
            )
    return decided


async def tell_team(
    session: AsyncSession, *, team: Team, policy: Policy, kind: str, key: str, card_for: CardFor
) -> int:
    """Post in the team's channel, in the workspace's language; without a channel, each member's direct message in
    their own language. Keyed, so the same post queued twice is stored once."""
    channels = team_channels(team, policy.platforms)
    deliveries: list[NewDelivery] = []
    if channels:
        card = await card_for(translator_for_person(None, policy))
        deliveries = [
            channel_delivery(platform=platform, channel=channel, card=card, kind=kind, dedupe_key=key)
            for platform, channel in channels
        ]
    else:
        for member in await people_store.team_members(session, team_id=team.id or 0):
            card = await card_for(translator_for_person(member, policy))
            deliveries.extend(_direct(member, card, kind, policy, dedupe_key=f"{key}:{member.id}"))
    return await queue(session, deliveries)


def _direct(member: Person, card: Card, kind: str, policy: Policy, *, dedupe_key: str) -> list[NewDelivery]:
    """A member's copy, sealed like pulse follow-ups: the rows queued as a pulse closes name nobody, so their row
    versions cannot be lined up with when each person answered."""
    if not policy.secret_key:
        return person_deliveries(person=member, card=card, kind=kind, platforms=policy.platforms, dedupe_key=dedupe_key)
    return sealed_person_deliveries(
        person=member,
        card=card,
        kind=kind,
        secret=policy.secret_key,
        platforms=policy.platforms,
        dedupe_key=dedupe_key,
    )
