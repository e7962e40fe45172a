"""The chat side of action plans: the propose form, the vote and the one tap that marks an action done.

Votes follow the reward votes' rules (`storage.votes`): one vote per person and plan, voting again moves it, an
action backed by more than half of the team becomes a commitment at once. Like a reward vote, the answer replaces the
tapped card (`replace_original`): in a direct message it is updated in place, while in a channel or a group chat
the adapters keep the card as everyone sees it and answer whoever tapped alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from handlers.actions.cards import (
    DONE_ACTION,
    PLAN_KIND,
    PROPOSE_ACTION,
    VOTE_ACTION,
    decided_card,
    plan_card,
)
from handlers.actions.plans import commit_if_backed, plan_focus, proposed_items, tell_team
from handlers.actions.suggestions import suggestions_for
from handlers.context import Context, first_time, timezone_of
from handlers.i18n import Translator
from handlers.messages import Card, Form, FormInput, FormOption, Line, Reply, Section, reply
from storage import actions as store
from storage import people as people_store
from storage.models import ActionPlan, ActionProposal, Team
from storage.models.actions import COMMITTED, DONE, PROPOSED, VOTING

PROPOSE_FORM = "actions.propose.form"
MAX_ACTION_LENGTH = 200
DUE_WEEKS = (1, 2, 4, 8)


async def _plan_for_member(ctx: Context, value: str) -> ActionPlan | str:
    """The open plan a button names, or why the person cannot act on it."""
    plan = await store.get_plan(ctx.session, plan_id=int(value)) if value.strip().isdigit() else None
    if plan is None:
        return ctx.t("That plan is no longer available.")
    if ctx.actor.team_id != plan.team_id:
        return ctx.t("Only members of the team can propose and vote on its actions.")
    if plan.status != VOTING:
        return ctx.t("The vote on this plan has closed; its commitments are in /pulse.")
    return plan


def propose_form(t: Translator, plan_id: int) -> Form:
    """What, who owns it, by when."""
    due = tuple(
        FormOption(label=t.plural("In {count} week", "In {count} weeks", weeks), value=str(weeks * 7))
        for weeks in DUE_WEEKS
    )
    return Form(
        action=PROPOSE_FORM,
        title=t("Propose an action"),
        submit=t("Propose"),
        inputs=(
            FormInput(name="what", label=t("What will we do?"), kind="text", max_length=MAX_ACTION_LENGTH),
            FormInput(name="owner", label=t("Who owns it?"), kind="people"),
            FormInput(name="due", label=t("By when?"), kind="select", options=due, initial=(due[1].value,)),
        ),
        metadata=str(plan_id),
    )


async def open_form(ctx: Context, value: str) -> Reply:
    plan = await _plan_for_member(ctx, value)
    if isinstance(plan, str):
        return reply(plan)
    return Reply(form=propose_form(ctx.t, plan.id or 0))


async def submit_proposal(ctx: Context, values: Mapping[str, tuple[str, ...]], metadata: str) -> Reply:
    """Store the proposal, post the vote as it now stands to the team, and show it to the person privately."""
    t = ctx.t
    plan = await _plan_for_member(ctx, metadata)
    if isinstance(plan, str):
        return reply(plan)
    what = " ".join(" ".join(values.get("what", ())).split())
    owners = [int(item) for item in values.get("owner", ()) if item.strip().isdigit()]
    days = next((int(item) for item in values.get("due", ()) if item.strip().isdigit()), 0)
    problem = await _problem(ctx, plan, what, owners, days)
    if problem:
        return reply(problem)
    if await first_time(ctx, "actions.propose"):
        today = ctx.now.astimezone(timezone_of(ctx.actor, ctx.policy)).date()
        proposal = ActionProposal(
            plan_id=plan.id or 0,
            team_id=plan.team_id,
            text=what,
            owner_id=owners[0],
            due_on=today + timedelta(days=days),
            proposed_by=ctx.actor.id,
            created_at=ctx.now,
        )
        await store.save(ctx.session, proposal)
        await _post_vote(ctx, plan, key=f"action_ballot:{proposal.id}")
    done = t("Proposed to your team: {action}. Everyone in the team can vote on it now.", action=what)
    return Reply(card=_with_line(await ballot_card(ctx, plan), done))


async def _problem(ctx: Context, plan: ActionPlan, what: str, owners: list[int], days: int) -> str | None:
    t = ctx.t
    if not what:
        return t("Say what the team will do.")
    if len(what) > MAX_ACTION_LENGTH:
        return t("Keep the action under {limit} characters.", limit=MAX_ACTION_LENGTH)
    if len(owners) != 1:
        return t("Choose one person to own the action.")
    owner = await people_store.get_person(ctx.session, person_id=owners[0])
    if owner is None or owner.team_id != plan.team_id or not owner.active:
        return t("The owner must be a member of the team.")
    if days not in {weeks * 7 for weeks in DUE_WEEKS}:
        return t("Choose by when the action is done.")
    return None


async def ballot_card(ctx: Context, plan: ActionPlan, t: Translator | None = None) -> Card:
    """The vote as it stands: the plan's focus and ideas, the proposals with their votes, the buttons."""
    t = t or ctx.t
    team = await people_store.get_team(ctx.session, team_id=plan.team_id)
    proposals = [p for p in await store.proposals_of(ctx.session, plan_id=plan.id or 0) if p.status == PROPOSED]
    counts = await store.vote_counts(ctx.session, plan_id=plan.id or 0)
    items = await proposed_items(ctx.session, proposals, counts)
    ideas = await suggestions_for(ctx.session, driver=plan.driver, language=t.language)
    name = team.name if team else ""
    return plan_card(t, team=name, plan=plan, focus=plan_focus(plan), suggestions=ideas, proposed=items)


async def _post_vote(ctx: Context, plan: ActionPlan, *, key: str) -> None:
    team = await people_store.get_team(ctx.session, team_id=plan.team_id)
    if team is None:
        return

    async def card_for(t: Translator) -> Card:
        return await ballot_card(ctx, plan, t)

    await tell_team(ctx.session, team=team, policy=ctx.policy, kind=PLAN_KIND, key=key, card_for=card_for)


def _with_line(card: Card, text: str) -> Card:
    return card.model_copy(update={"sections": (Section(text=Line.of(text)), *card.sections)})


async def vote(ctx: Context, value: str) -> Reply:
    """One vote per person and plan; the answer goes to the voter alone, the shared card stays as it is."""
    plan_text, _, proposal_text = value.partition(":")
    plan = await _plan_for_member(ctx, plan_text)
    if isinstance(plan, str):
        return reply(plan)
    proposal = (
        await store.get_proposal(ctx.session, proposal_id=int(proposal_text)) if proposal_text.isdigit() else None
    )
    if proposal is None or proposal.plan_id != plan.id or proposal.status != PROPOSED:
        return reply(ctx.t("That action is no longer open to votes."))
    await store.cast_vote(
        ctx.session, plan_id=plan.id or 0, proposal_id=proposal.id or 0, person_id=ctx.actor.id or 0, now=ctx.now
    )
    members = len(await people_store.team_members(ctx.session, team_id=plan.team_id))
    if await commit_if_backed(ctx.session, plan, proposal, members=members, now=ctx.now):
        await _announce(ctx, plan, proposal)
        done = ctx.t("Decided: {action} is now one of the team's commitments.", action=proposal.text)
    else:
        done = ctx.t("Your vote for {action} is counted.", action=proposal.text)
    return Reply(card=_with_line(await ballot_card(ctx, plan), done), replace_original=True)


async def _announce(ctx: Context, plan: ActionPlan, proposal: ActionProposal) -> None:
    team = await people_store.get_team(ctx.session, team_id=plan.team_id)
    if team is None:
        return
    items = await proposed_items(ctx.session, [proposal], {})

    async def card_for(t: Translator) -> Card:
        return decided_card(t, team=team.name, items=items)

    await tell_team(
        ctx.session,
        team=team,
        policy=ctx.policy,
        kind=PLAN_KIND,
        key=f"action_committed:{proposal.id}",
        card_for=card_for,
    )


async def mark_done(ctx: Context, value: str) -> Reply:
    """The owner (or the team's manager, or an admin) marks a commitment done in one tap."""
    t = ctx.t
    proposal = await store.get_proposal(ctx.session, proposal_id=int(value)) if value.strip().isdigit() else None
    if proposal is None or proposal.status not in (COMMITTED, DONE):
        return reply(t("That action is no longer available."))
    team = await people_store.get_team(ctx.session, team_id=proposal.team_id)
    if not _may_close(ctx, proposal, team):
        return reply(t("Only the action's owner or the team's manager can mark it done."))
    if proposal.status == DONE:
        return reply(t("Already marked as done: {action}.", action=proposal.text))
    proposal.status, proposal.done_at = DONE, ctx.now
    await store.save(ctx.session, proposal)
    done = reply(t("Marked as done: {action}. Well done!", action=proposal.text))
    return done.model_copy(update={"replace_original": True})


def _may_close(ctx: Context, proposal: ActionProposal, team: Team | None) -> bool:
    manager = team.manager_id if team is not None else None
    return ctx.actor.id in (proposal.owner_id, manager) or ctx.is_admin


ACTIONS = {PROPOSE_ACTION: open_form, VOTE_ACTION: vote, DONE_ACTION: mark_done}
FORMS = {PROPOSE_FORM: submit_proposal}
