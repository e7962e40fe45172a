"""The check-in after a team's action is done: asked once, closed, and its outcome told to the team once.

`BRAVO_ACTION_CHECKIN_DAYS` after an owner marks an action done, `open_checkins` asks the team anonymously whether it
helped: a pulse round of one question (`handlers.pulse.start_checkin`), so keyed ballots, "a tap writes nothing
about the person tapping" and results only once closed hold as for pulses. Each check-in is a `(kind, target,
period)` claim (`action_checkin`, the action, the day it was done) made in the transaction that opens it, like every
scheduled post: a second run, a second replica or a restart asks nothing more. The round closes when its window
ends or once everyone asked has answered; `announce_checkins` then tells the team, once, the answer (hidden below
the threshold) and the driver's trend since the action started.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.actions.outcome import MISSED_AFTER_DAYS, RESULT_KIND, CheckinView, outcome_card, view_of
from handlers.actions.plans import tell_team
from handlers.i18n import Translator
from handlers.messages import Card
from handlers.policy import Policy
from handlers.pulse import Measure, checkin_results, close_due_checkins, pulse_report, start_checkin
from storage import actions as store
from storage import people as people_store
from storage import schedule as schedule_store
from storage.models import ActionCheckin, ActionPlan, ActionProposal
from storage.models.schedule import QUEUED, SKIPPED

log = logging.getLogger(__name__)

CHECKIN_KIND = "action_checkin"


async def open_checkins(session: AsyncSession, *, policy: Policy, now: datetime, owner: str) -> int:
    """Ask each team whose action was done `action_checkin_days` ago whether it helped; returns how many asked."""
    until = now - timedelta(days=policy.action_checkin_days)
    due = await store.done_without_checkin(session, since=until - timedelta(MISSED_AFTER_DAYS), until=until)
    if due and not policy.secret_key:
        log.warning("action check-ins due but not sent: BRAVO_SECRET_KEY is not set")
        return 0
    opened = 0
    for proposal in due:
        done_on = (proposal.done_at or now).date().isoformat()
        key = {"kind": CHECKIN_KIND, "target": str(proposal.id), "period": done_on}
        if not await schedule_store.claim(session, **key, owner=owner, now=now):
            continue
        asked = await _ask(session, proposal, policy=policy, now=now)
        status = QUEUED if asked else SKIPPED
        await schedule_store.finish(session, **key, status=status, deliveries=asked, now=now)
        opened += bool(asked)
    return opened


async def _ask(session: AsyncSession, proposal: ActionProposal, *, policy: Policy, now: datetime) -> int:
    """Open the check-in round and store the action's check-in (without a round when nobody can be asked)."""
    plan = await store.get_plan(session, plan_id=proposal.plan_id)
    team = await people_store.get_team(session, team_id=proposal.team_id)
    checkin = None
    if team is not None:
        period = f"checkin-{proposal.id}"
        checkin = await start_checkin(session, team=team, policy=policy, now=now, subject=proposal.text, period=period)
    row = ActionCheckin(
        proposal_id=proposal.id or 0,
        team_id=proposal.team_id,
        round_id=checkin.id if checkin else None,
        driver=plan.driver if plan else "",
        created_at=now,
    )
    await store.add_checkin(session, checkin=row)
    if checkin is None:
        return 0
    results = await checkin_results(session, round_ids=[checkin.id or 0], threshold=policy.anonymity_threshold)
    return results[checkin.id or 0].invited


async def close_checkins(session: AsyncSession, *, now: datetime) -> int:
    """Close the check-ins whose window ended or that everyone asked answered."""
    return await close_due_checkins(session, now=now)


async def announce_checkins(session: AsyncSession, *, policy: Policy, now: datetime) -> int:
    """Tell each team, once, how its closed check-in came out, with the driver's trend; returns how many."""
    told = 0
    for row in await store.checkins_to_announce(session):
        if not await store.claim_announcement(session, proposal_id=row.proposal_id, now=now):
            continue
        row.announced_at = now
        proposal = await store.get_proposal(session, proposal_id=row.proposal_id)
        plan = await store.get_plan(session, plan_id=proposal.plan_id) if proposal else None
        team = await people_store.get_team(session, team_id=row.team_id)
        if proposal is None or plan is None or team is None:
            continue
        before, after = await _trend(session, policy=policy, now=now, plan=plan, proposal=proposal)
        row.before_score, row.before_at = (before.score, before.at) if before else (None, None)
        row.after_score, row.after_at = (after.score, after.at) if after else (None, None)
        await store.save(session, row)
        results = await checkin_results(session, round_ids=[row.round_id or 0], threshold=policy.anonymity_threshold)
        view = view_of(row, results.get(row.round_id or 0), policy.anonymity_threshold)

        async def card_for(
            t: Translator, view: CheckinView = view, action: str = proposal.text, name: str = team.name
        ) -> Card:
            return outcome_card(t, team=name, action=action, view=view)

        key = f"{RESULT_KIND}:{row.proposal_id}"
        await tell_team(session, team=team, policy=policy, kind=RESULT_KIND, key=key, card_for=card_for)
        told += 1
    return told


async def _trend(
    session: AsyncSession, *, policy: Policy, now: datetime, plan: ActionPlan, proposal: ActionProposal
) -> tuple[Measure | None, Measure | None]:
    """The driver's last shown score before the action was committed (the one the team chose it on, when no later
    one is known) and its latest shown score since, from the pulse report's continuity (never a hidden measure)."""
    report = await pulse_report(session, policy=policy, now=now)
    group = report.team(plan.team_id)
    measures: Sequence[Measure] = ()
    if group is not None and not group.hidden:
        measures = next((trend.measures for trend in group.trends if trend.driver == plan.driver), ())
    started = proposal.committed_at or plan.created_at
    earlier = [m for m in measures if m.at <= started]
    later = [m for m in measures if m.at > started]
    before = earlier[-1] if earlier else Measure(plan.created_at, plan.score) if plan.score is not None else None
    return before, later[-1] if later else None
