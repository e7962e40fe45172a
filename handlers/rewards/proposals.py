"""Proposing rewards: one option per reward on a ballot, however it is typed.

"Team lunch", "team  LUNCH!" and "Team-lunch" are the same reward, and so are "Déjeuner d'équipe" and "dejeuner
d equipe": a second proposal of a reward already on the ballot a team votes on finds the first one instead of
splitting the votes between two copies (the command then counts the proposer's vote for it). Proposals of one
database are serialised (`storage.rewards.lock_proposals`), so two replicas proposing the same reward at the same
moment still leave one option.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.rewards.pots import RewardError, activate, ensure_round
from storage import rewards as rewards_store
from storage.models import RewardOption, RewardRound
from storage.models.rewards import ACTIVE, ORG_SCOPE, TEAM_SCOPE

MAX_REWARD_LENGTH = 200
MAX_GOAL_POINTS = 1_000_000
# Letters and digits make a reward; case, accents, spacing, punctuation and emoji do not.
_KEPT = frozenset("LN")


@dataclass(frozen=True, slots=True)
class Proposal:
    """The option a proposal ended on: a new one, or (`new` False) the identical reward already proposed."""

    option: RewardOption
    new: bool


def reward_key(reward: str) -> str:
    """What makes two rewards the same: their letters and digits, without case or accents, word by word.

    A reward of emoji only keeps its emoji (without spaces), so "🍕" and "🎳" stay two rewards.
    """
    decomposed = unicodedata.normalize("NFKD", reward.casefold())
    kept = "".join(
        char if unicodedata.category(char)[0] in _KEPT else " "
        for char in decomposed
        if not unicodedata.combining(char)
    )
    return " ".join(kept.split()) or "".join(reward.casefold().split())


def _checked(reward: str, points: int) -> str:
    """The reward as shown (spaces collapsed), or the rule it breaks."""
    reward = " ".join(reward.split())
    if not reward:
        raise RewardError("reward_missing")
    if len(reward) > MAX_REWARD_LENGTH:
        raise RewardError("reward_too_long")
    if not 1 <= points <= MAX_GOAL_POINTS:
        raise RewardError("points_out_of_range")
    return reward


async def identical_option(
    session: AsyncSession, *, scope: str, team_id: int | None, reward: str
) -> RewardOption | None:
    """The option already on the ballot where `reward` would go that is the same reward (the oldest if several).

    A team's ballot holds the options for every team and its own; a proposal for every team is compared with the
    other options for every team, an organisation's with the organisation's.
    """
    key = reward_key(reward)
    offered = await rewards_store.offered_options(session, scope=scope, team_id=team_id)
    return next((option for option in offered if reward_key(option.reward) == key), None)


async def _create(
    session: AsyncSession, *, scope: str, team_id: int | None, reward: str, points: int, proposed_by: int | None
) -> RewardOption:
    option = RewardOption(scope=scope, team_id=team_id, reward=reward, points=points, proposed_by=proposed_by)
    await rewards_store.save(session, option)
    return option


async def propose(
    session: AsyncSession, *, team_id: int | None, org: bool, points: int, reward: str, proposed_by: int | None
) -> Proposal:
    """Add an option: `org` for the organisation goal, else for one team (`team_id`) or every team (None).

    When the same reward is already offered there, that option is returned (`new` False), whatever its points:
    the ballot keeps one copy of each reward.
    """
    reward = _checked(reward, points)
    scope, owner = (ORG_SCOPE, None) if org else (TEAM_SCOPE, team_id)
    await rewards_store.lock_proposals(session)
    found = await identical_option(session, scope=scope, team_id=owner, reward=reward)
    if found is not None:
        return Proposal(found, new=False)
    option = await _create(session, scope=scope, team_id=owner, reward=reward, points=points, proposed_by=proposed_by)
    return Proposal(option, new=True)


async def withdraw(session: AsyncSession, *, option_id: int) -> RewardOption:
    """Take a proposed option off the ballot (votes already cast stay); raises `option_unavailable` if not offered."""
    option = await rewards_store.get_option(session, option_id=option_id)
    if option is None or not option.active:
        raise RewardError("option_unavailable")
    option.active = False
    await rewards_store.save(session, option)
    return option


async def set_goal(
    session: AsyncSession, *, team_id: int | None, points: int, reward: str, now: datetime
) -> RewardRound:
    """An admin sets a goal directly: it becomes the current round's goal (keeping the pot if one is filling).

    The option already offered for the same reward and points is reused; the same reward for other points is a
    different goal, offered beside it.
    """
    reward = _checked(reward, points)
    scope = ORG_SCOPE if team_id is None else TEAM_SCOPE
    await rewards_store.lock_proposals(session)
    option = await identical_option(session, scope=scope, team_id=team_id, reward=reward)
    if option is None or option.points != points:
        option = await _create(session, scope=scope, team_id=team_id, reward=reward, points=points, proposed_by=None)
    row = await ensure_round(session, team_id=team_id)
    if row.status == ACTIVE:
        row.option_id, row.goal_points, row.reward = option.id, option.points, option.reward
    else:
        activate(row, option, now)
    await rewards_store.save(session, row)
    return row
