"""Two identical reward proposals become one: the second finds the first, whatever its case, accents, spacing or
punctuation, and counts its proposer's vote for it; two replicas proposing at once still leave one option."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import Context
from handlers.policy import Policy
from handlers.rewards.pots import ensure_round
from handlers.rewards.proposals import propose, reward_key, set_goal
from handlers.routing import run_command
from storage import rewards as rewards_store
from storage.db import Database
from storage.models import Person
from storage.models.rewards import ACTIVE
from tests.conftest import both_engines
from tests.scheduler.support import seed

NOW = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


def ctx_for(session: AsyncSession, person: Person, policy: Policy) -> Context:
    return Context(session=session, actor=person, policy=policy, now=NOW, platform="console")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Team lunch", "team  LUNCH!"),
        ("Team lunch", "Team-lunch"),
        ("Déjeuner d'équipe", "dejeuner d equipe"),
        ("Karaoké night 🎤", "karaoke night"),
        ("ＴＥＡＭ lunch", "team lunch"),
    ],
)
def test_rewards_that_differ_only_by_case_accents_spacing_or_punctuation_are_the_same(first: str, second: str) -> None:
    assert reward_key(first) == reward_key(second)


def test_different_rewards_stay_different() -> None:
    assert reward_key("Team lunch") != reward_key("Team dinner")
    assert reward_key("🍕") != reward_key("🎳")  # a reward of emoji only keeps them
    assert reward_key("Day off 1") != reward_key("Day off 2")


async def test_the_same_reward_proposed_again_counts_the_proposers_vote_for_the_first(
    database: Database, policy: Policy
) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        first = await run_command(ctx_for(session, org["Bob"], policy), "rewards", "propose 40 Karaoke night")
        again = await run_command(ctx_for(session, org["David"], policy), "rewards", "propose 50 karaoké-NIGHT!")
        french = await run_command(ctx_for(session, org["Claire"], policy), "rewards", "propose 40 Karaoke Night")
        sales = await run_command(ctx_for(session, org["Grace"], policy), "rewards", "propose 40 karaoke night")
        engineering = await rewards_store.options_for(session, team_id=org.teams["Engineering"].id)
        row = await ensure_round(session, team_id=org.teams["Engineering"].id)
        counts = await rewards_store.vote_counts(session, round_ids=[row.id or 0])
    assert first.card is not None and "Proposed to your team: Karaoke night (40 points)." in first.card.plain()
    assert again.card is not None
    assert "Karaoke night is already proposed (40 points): your vote for it is counted." in again.card.plain()
    assert "Karaoke night: 40 points (1 vote)" in again.card.plain()
    assert french.card is not None
    # Claire's vote makes two of the team's three: a majority, so the goal at once.
    assert "C'est décidé : l'objectif est désormais Karaoke night." in french.card.plain()
    assert sales.card is not None and "Proposed to your team: karaoke night (40 points)." in sales.card.plain()
    (option,) = engineering  # Sales' own proposal is on Sales' ballot only
    assert (option.reward, option.points) == ("Karaoke night", 40)
    assert row.status == ACTIVE and counts == {row.id: {option.id: 2}}


async def test_a_member_proposing_what_an_admin_offered_every_team_finds_it(database: Database, policy: Policy) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        org["Alice"].email = "admin@example.com"
        offered = await run_command(ctx_for(session, org["Alice"], policy), "rewards", "propose 50 Cinema")
        twice = await run_command(ctx_for(session, org["Alice"], policy), "rewards", "propose 70 cinéma")
        hugo = await run_command(ctx_for(session, org["Hugo"], policy), "rewards", "propose 60 CINEMA")
        options = await rewards_store.all_options(session)
    assert offered.card is not None and "Proposed to every team: Cinema (50 points)." in offered.card.plain()
    assert twice.card is not None and "Cinema is already proposed (50 points)." in twice.card.plain()
    assert hugo.card is not None
    text = hugo.card.plain()
    assert "La récompense Cinema est déjà proposée (50 points) : votre vote pour elle est compté." in text
    assert [(option.reward, option.points, option.team_id) for option in options] == [("Cinema", 50, None)]


async def test_a_withdrawn_reward_can_be_proposed_again(database: Database) -> None:
    async with database.transaction() as session:
        first = await propose(session, team_id=None, org=True, points=10, reward="Party", proposed_by=None)
        first.option.active = False
        again = await propose(session, team_id=None, org=True, points=10, reward="party", proposed_by=None)
    assert again.new and again.option.id != first.option.id


async def test_an_admin_setting_a_goal_reuses_the_same_reward_for_the_same_points(database: Database) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        team_id = org.teams["Sales"].id
        offered = await propose(session, team_id=team_id, org=False, points=30, reward="Escape game", proposed_by=None)
        row = await set_goal(session, team_id=team_id, points=30, reward="escape GAME", now=NOW)
        reused = row.option_id
        bigger = await set_goal(session, team_id=team_id, points=60, reward="Escape game", now=NOW)
        options = await rewards_store.options_for(session, team_id=team_id)
    assert reused == offered.option.id
    assert bigger.goal_points == 60 and [option.points for option in options] == [30, 60]


@both_engines
async def test_two_replicas_proposing_the_same_reward_at_once_leave_one_option(database: Database) -> None:
    replica = Database(database.url.render_as_string(hide_password=False))

    async def proposing(db: Database, reward: str) -> bool:
        async with db.transaction() as session:
            proposal = await propose(session, team_id=None, org=True, points=100, reward=reward, proposed_by=None)
            await asyncio.sleep(0.2)  # still in the transaction when the other replica looks
            return proposal.new

    try:
        created = await asyncio.gather(proposing(database, "Charity day"), proposing(replica, "charity  DAY"))
    finally:
        await replica.dispose()
    async with database.sessions() as session:
        options = await rewards_store.options_for(session, team_id=None)
    assert sorted(created) == [False, True]
    assert len(options) == 1
