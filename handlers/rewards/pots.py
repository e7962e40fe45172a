"""Collective rewards: each team (and the whole organisation) works towards a goal it chose by vote.

Kudos a member receives fill their team's pot, whoever gave them, so recognition across teams helps the
recipient's team. Nothing here ranks people: standings are per team.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import people as people_store
from storage import rewards as rewards_store
from storage.kudos import pots as pots_store
from storage.models import Person, RewardOption, RewardRound, Team
from storage.models.rewards import ACTIVE, ORG_SCOPE, REACHED, VOTING
from storage.votes import backed_by_majority

BAR_WIDTH = 10


class RewardError(ValueError):
    """A request the rules refuse; `code` picks the translated explanation."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a team (or the organisation, `team` None) stands in its current round.

    The round's goal is copied when the standing is taken: `advance` then changes the live `round` row, and the
    leaderboard still shows the goal that was reached.
    """

    team: Team | None
    round: RewardRound | None
    pot: int
    round_id: int | None = None
    status: str | None = None
    goal_points: int | None = None
    reward: str | None = None

    @classmethod
    def of(cls, team: Team | None, row: RewardRound | None, pot: int) -> Standing:
        if row is None:
            return cls(team=team, round=None, pot=pot)
        return cls(
            team=team,
            round=row,
            pot=pot,
            round_id=row.id,
            status=row.status,
            goal_points=row.goal_points,
            reward=row.reward,
        )

    @property
    def goal(self) -> int | None:
        """The goal being worked towards, or the one reached (a closed round reads as reached at 100%)."""
        return self.goal_points if self.status in (ACTIVE, REACHED) else None

    @property
    def ratio(self) -> float:
        return min(1.0, self.pot / self.goal) if self.goal else 0.0

    @property
    def reached(self) -> bool:
        return self.goal is not None and self.pot >= self.goal


def progress_bar(pot: int, goal: int, width: int = BAR_WIDTH) -> str:
    """`███░░░░░░░ 30%`: readable on every platform and in the terminal."""
    ratio = min(1.0, pot / goal) if goal > 0 else 0.0
    filled = round(ratio * width)
    return "█" * filled + "░" * (width - filled) + f" {int(ratio * 100)}%"


def leading_option(counts: Mapping[int, int], options: Mapping[int, RewardOption]) -> RewardOption | None:
    """The option with the most votes; a tie goes to the smaller goal, then the older proposal."""
    ranked = sorted(
        (option for option_id, option in options.items() if counts.get(option_id)),
        key=lambda option: (-counts[option.id or 0], option.points, option.id or 0),
    )
    return ranked[0] if ranked else None


def activate(row: RewardRound, option: RewardOption, now: datetime) -> None:
    """Make `option` the round's goal; the pot starts filling now."""
    row.status = ACTIVE
    row.option_id = option.id
    row.goal_points = option.points
    row.reward = option.reward
    row.started_at = now


async def ensure_round(session: AsyncSession, *, team_id: int | None) -> RewardRound:
    """The scope's current round, starting the first one (voting) if there is none yet."""
    current = await rewards_store.current_round(session, team_id=team_id)
    if current is None:
        await rewards_store.start_round(session, team_id=team_id, number=1, values={"status": VOTING})
        current = await rewards_store.current_round(session, team_id=team_id)
    assert current is not None
    return current


async def vote(
    session: AsyncSession, *, person: Person, round_id: int, option_id: int, now: datetime
) -> tuple[RewardRound, RewardOption]:
    """Vote for an option in the current round of the person's team (or the organisation's).

    While a round is still choosing, an option backed by more than half of the team becomes the goal at once;
    otherwise the weekly leaderboard post settles the vote. Votes during an active round choose the next goal.
    """
    row = await rewards_store.get_round(session, round_id=round_id)
    if row is None:
        raise RewardError("vote_closed")
    current = await rewards_store.current_round(session, team_id=row.team_id)
    if current is None or current.id != row.id or row.status == REACHED:
        raise RewardError("vote_closed")
    if row.team_id is not None and person.team_id != row.team_id:
        raise RewardError("not_your_team")
    options = {option.id or 0: option for option in await rewards_store.options_for(session, team_id=row.team_id)}
    option = options.get(option_id)
    if option is None:
        raise RewardError("option_unavailable")
    await rewards_store.cast_vote(session, round_id=round_id, option_id=option_id, person_id=person.id or 0, now=now)
    if row.status == VOTING and row.team_id is not None:
        counts = (await rewards_store.vote_counts(session, round_ids=[round_id])).get(round_id, {})
        members = len(await people_store.team_members(session, team_id=row.team_id))
        if backed_by_majority(counts.get(option_id, 0), members):
            activate(row, option, now)
            await rewards_store.save(session, row)
    return row, option


async def standings(
    session: AsyncSession, *, now: datetime, team_ids: Collection[int] | None = None, org: bool = True
) -> tuple[list[Standing], Standing]:
    """Every team's standing (or only `team_ids`'), and the organisation's (an empty one unless `org`).

    Pots are read from the kudos summary for the weeks (the organisation: the days) that closed since each round
    started, and from the kudos themselves for the rest (`storage.kudos.pots`): one query per figure.
    """
    if team_ids is None:
        rounds = await rewards_store.current_rounds(session)
        chosen = await people_store.all_teams(session)
    else:  # a few teams: only their rows are loaded
        scopes = [rewards_store.scope_key(team_id) for team_id in team_ids]
        rounds = await rewards_store.current_rounds(session, scopes=[*scopes, ORG_SCOPE] if org else scopes)
        chosen = await people_store.teams_by_ids(session, ids=team_ids)
    teams = [(team, rounds.get(rewards_store.scope_key(team.id))) for team in chosen]
    pots = await pots_store.team_pots(session, rounds=[row for _, row in teams if row is not None], until=now)
    result = [Standing.of(team, row, pots.get(row.id or 0, 0) if row else 0) for team, row in teams]
    org_round = rounds.get(ORG_SCOPE) if org else None
    org_pot = 0
    if org_round is not None and org_round.status == ACTIVE and org_round.started_at is not None:
        org_pot = await pots_store.org_points(session, since=org_round.started_at, until=now)
    return result, Standing.of(None, org_round, org_pot)


async def reached_since(session: AsyncSession, *, since: datetime, until: datetime) -> list[Standing]:
    """Goals reached after `since` and by `until`, already closed: each shown at 100% of its goal."""
    rows = await rewards_store.reached_rounds(session, since=since, until=until)
    teams = {team.id: team for team in await people_store.all_teams(session)}
    return [
        Standing.of(teams.get(row.team_id) if row.team_id is not None else None, row, row.goal_points or 0)
        for row in rows
        if row.team_id is None or row.team_id in teams
    ]


def ranked(items: Sequence[Standing]) -> list[Standing]:
    """Teams with a goal, furthest along first (progress, then points, then name): never people."""
    with_goal = [item for item in items if item.goal]
    return sorted(with_goal, key=lambda item: (-item.ratio, -item.pot, item.team.name.lower() if item.team else ""))


async def settle_votes(session: AsyncSession, *, items: Sequence[Standing], now: datetime) -> None:
    """The leaderboard's moment for teams still choosing: the most voted option becomes their goal.

    Runs inside the leaderboard's claim, so it happens once per period; a scope without a round gets its first.
    """
    rows = [item.round for item in items if item.round is not None and item.round.status == VOTING]
    counts = await rewards_store.vote_counts(session, round_ids=[row.id or 0 for row in rows])
    for item in items:
        row = item.round
        team_id = item.team.id if item.team else None
        if row is None:
            await ensure_round(session, team_id=team_id)
            continue
        if row.status != VOTING:
            continue
        options = {option.id or 0: option for option in await rewards_store.options_for(session, team_id=team_id)}
        leader = leading_option(counts.get(row.id or 0, {}), options)
        if leader is not None:
            activate(row, leader, now)
            await rewards_store.save(session, row)


async def close_reached(session: AsyncSession, row: RewardRound, *, now: datetime) -> None:
    """Mark a reached goal and start the next round: the option voted for meanwhile, else the same goal again.

    The caller holds the round's celebration claim (`handlers.rewards.celebrate`), so a round closes once.
    """
    counts = (await rewards_store.vote_counts(session, round_ids=[row.id or 0])).get(row.id or 0, {})
    options = {option.id or 0: option for option in await rewards_store.options_for(session, team_id=row.team_id)}
    leader = leading_option(counts, options)
    row.status, row.ended_at = REACHED, now
    await rewards_store.save(session, row)
    values: dict[str, object] = {
        "status": ACTIVE,
        "option_id": leader.id if leader else row.option_id,
        "goal_points": leader.points if leader else row.goal_points,
        "reward": leader.reward if leader else row.reward,
        "started_at": now,
    }
    await rewards_store.start_round(session, team_id=row.team_id, number=row.number + 1, values=values)
