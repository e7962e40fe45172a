"""`/rewards`: see your team's collective goal, vote for the reward to work towards, or propose one.

`/rewards` shows your team's goal, `/rewards org` the organisation's; `/rewards propose 300 team lunch` adds an
option (an admin's goes to every team, `/rewards propose org 2000 …` to the organisation; anyone else's to their
own team). Votes are buttons (`rewards.vote`), the same on every platform.
"""

from __future__ import annotations

from handlers.context import Context, first_time
from handlers.messages import Card, Choice, Line, Reply, Section, reply
from handlers.rewards.pots import RewardError, ensure_round, progress_bar, vote
from handlers.rewards.proposals import MAX_GOAL_POINTS, MAX_REWARD_LENGTH, Proposal, propose
from handlers.routes import Routes
from storage import people as people_store
from storage import rewards as rewards_store
from storage.models import RewardOption, RewardRound
from storage.models.rewards import ACTIVE

VOTE_ACTION = "rewards.vote"
ORG_WORDS = ("org", "organisation", "organization", "entreprise", "company")
PROPOSE_WORDS = ("propose", "proposer", "suggest")
MAX_OPTIONS_SHOWN = 10


def explain(ctx: Context, error: RewardError) -> str:
    t = ctx.t
    messages = {
        "reward_missing": t("Say what the reward is, for example: /rewards propose 300 team lunch"),
        "reward_too_long": t("Keep the reward under {limit} characters.", limit=MAX_REWARD_LENGTH),
        "points_out_of_range": t("A goal is a number of points from 1 to {most}.", most=MAX_GOAL_POINTS),
        "vote_closed": t("This vote has closed. Type /rewards to see the current one."),
        "not_your_team": t("Only members of the team can vote for its reward."),
        "option_unavailable": t("That option is no longer available."),
    }
    return messages.get(error.code, t("That did not work. Type /rewards to see the current goal."))


async def goal_card(ctx: Context, *, team_id: int | None) -> Card:
    """The scope's goal and progress, the options with vote buttons, and the person's own vote."""
    t, session = ctx.t, ctx.session
    row = await ensure_round(session, team_id=team_id)
    team = await people_store.get_team(session, team_id=team_id) if team_id is not None else None
    options = (await rewards_store.options_for(session, team_id=team_id))[:MAX_OPTIONS_SHOWN]
    counts = (await rewards_store.vote_counts(session, round_ids=[row.id or 0])).get(row.id or 0, {})
    mine = await rewards_store.vote_of(session, round_id=row.id or 0, person_id=ctx.actor.id or 0)
    sections = await _goal_sections(ctx, row, team_id=team_id, has_options=bool(options))
    for option in options:
        votes = t.plural("{count} vote", "{count} votes", counts.get(option.id or 0, 0))
        marker = " ✓" if option.id == mine else ""
        line = t("{reward}: {points} points", reward=option.reward, points=option.points)
        sections.append(Section(text=Line.of(f"{line} ({votes}){marker}")))
    choices = tuple(
        Choice(label=t("Vote: {reward}", reward=option.reward)[:75], action=VOTE_ACTION, value=f"{row.id}:{option.id}")
        for option in options
        if option.id != mine
    )
    if team is not None:
        title = t("{team}'s collective reward", team=team.name)
    else:
        title = t("The organisation's collective reward")
    return Card(
        title=title,
        sections=tuple(sections),
        choices=choices,
        context=(Line.of(t("Propose your own: /rewards propose 300 team lunch")),),
        summary=title,
    )


async def _goal_sections(ctx: Context, row: RewardRound, *, team_id: int | None, has_options: bool) -> list[Section]:
    """The goal being worked towards and its pot, or how a goal gets chosen when there is none yet."""
    t, session = ctx.t, ctx.session
    if not (row.status == ACTIVE and row.goal_points and row.started_at is not None):
        if not has_options:
            return [Section(text=Line.of(t("No reward has been proposed yet. Propose one below.")))]
        how = t(
            "No goal chosen yet. Vote below: an option backed by more than half of the team wins at once, "
            "otherwise the most voted one wins at the next leaderboard."
        )
        return [Section(text=Line.of(how))]
    if team_id is None:
        pot = await rewards_store.org_pot(session, since=row.started_at, until=ctx.now)
    else:
        pot = (await rewards_store.team_pots(session, rounds=[row], until=ctx.now)).get(row.id or 0, 0)
    goal = t("Goal: {reward}, {pot} / {goal} points", reward=row.reward or "", pot=pot, goal=row.goal_points)
    sections = [Section(text=Line.of(goal + "\n" + progress_bar(pot, row.goal_points)))]
    if has_options:
        sections.append(Section(text=Line.of(t("Vote for the next goal; it starts once this one is reached."))))
    return sections


async def _propose(ctx: Context, words: list[str]) -> Reply:
    t = ctx.t
    org = bool(words) and words[0].lower() in ORG_WORDS
    if org:
        words = words[1:]
    if org and not ctx.is_admin:
        return reply(t("Only an admin can propose a reward for the whole organisation."))
    if not ctx.is_admin and ctx.actor.team_id is None:
        return reply(t("You are not in a team yet, so there is no team reward to propose."))
    if not words or not words[0].isdigit():
        return reply(t("Say how many points and what reward, for example: /rewards propose 300 team lunch"))
    team_id = None if ctx.is_admin else ctx.actor.team_id
    if not await first_time(ctx, "rewards.propose"):
        card = await goal_card(ctx, team_id=None if org else ctx.actor.team_id)
        return Reply(card=card)
    try:
        proposal = await propose(
            ctx.session,
            team_id=team_id,
            org=org,
            points=int(words[0]),
            reward=" ".join(words[1:]),
            proposed_by=ctx.actor.id,
        )
    except RewardError as error:
        return reply(explain(ctx, error))
    done = await _proposed(ctx, proposal, org=org, team_id=team_id)
    card = await goal_card(ctx, team_id=None if org else ctx.actor.team_id)
    return Reply(card=card.model_copy(update={"sections": (Section(text=Line.of(done)), *card.sections)}))


async def _proposed(ctx: Context, proposal: Proposal, *, org: bool, team_id: int | None) -> str:
    """What the proposer is told. The same reward proposed again for their own team counts as their vote for it."""
    t, option = ctx.t, proposal.option
    values = {"reward": option.reward, "points": option.points}
    if proposal.new:
        if org:
            return t("Proposed to the organisation: {reward} ({points} points).", **values)
        if team_id is None:
            return t("Proposed to every team: {reward} ({points} points).", **values)
        return t("Proposed to your team: {reward} ({points} points).", **values)
    if org or team_id is None:
        return t("{reward} is already proposed ({points} points).", **values)
    row = await ensure_round(ctx.session, team_id=team_id)
    try:
        row, _ = await vote(ctx.session, person=ctx.actor, round_id=row.id or 0, option_id=option.id or 0, now=ctx.now)
    except RewardError:
        return t("{reward} is already proposed ({points} points).", **values)
    if _decided(ctx, row, option):
        return _vote_outcome(ctx, row, option)
    return t("{reward} is already proposed ({points} points): your vote for it is counted.", **values)


def _decided(ctx: Context, row: RewardRound, option: RewardOption) -> bool:
    """This very vote made the option the goal (a majority of the team)."""
    return row.status == ACTIVE and row.option_id == option.id and row.started_at == ctx.now


def _vote_outcome(ctx: Context, row: RewardRound, option: RewardOption) -> str:
    if _decided(ctx, row, option):
        return ctx.t("Decided: the goal is now {reward}.", reward=option.reward)
    return ctx.t("Your vote for {reward} is counted.", reward=option.reward)


async def handle(ctx: Context, text: str) -> Reply:
    """Route `/rewards …`."""
    words = text.split()
    first = words[0].lower() if words else ""
    if first in PROPOSE_WORDS:
        return await _propose(ctx, words[1:])
    if first in ORG_WORDS or ctx.actor.team_id is None:
        return Reply(card=await goal_card(ctx, team_id=None))
    return Reply(card=await goal_card(ctx, team_id=ctx.actor.team_id))


async def _vote(ctx: Context, value: str) -> Reply:
    round_text, _, option_text = value.partition(":")
    if not (round_text.isdigit() and option_text.isdigit()):
        return reply(ctx.t("That option is no longer available."))
    try:
        row, option = await vote(
            ctx.session, person=ctx.actor, round_id=int(round_text), option_id=int(option_text), now=ctx.now
        )
    except RewardError as error:
        return reply(explain(ctx, error))
    card = await goal_card(ctx, team_id=row.team_id)
    done = _vote_outcome(ctx, row, option)
    card = card.model_copy(update={"sections": (Section(text=Line.of(done)), *card.sections)})
    return Reply(card=card, replace_original=True)


ROUTES = Routes(commands={"rewards": handle}, actions={VOTE_ACTION: _vote})
