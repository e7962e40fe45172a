"""Collective rewards: teams vote for their goal, every kudos a member receives fills the team's pot, and reaching
the goal starts the next round; `/rewards` and its vote buttons work the same on every platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import Context
from handlers.policy import Policy
from handlers.rewards.celebrate import celebrate
from handlers.rewards.commands import VOTE_ACTION
from handlers.rewards.pots import RewardError, ensure_round, settle_votes, standings, vote
from handlers.rewards.proposals import propose, set_goal, withdraw
from handlers.routing import run_action, run_command
from storage import rewards as rewards_store
from storage.db import Database
from storage.models import Person, RewardOption
from storage.models.rewards import ACTIVE, REACHED, VOTING
from tests.conftest import both_engines
from tests.scheduler.support import Org, give, seed

NOW = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


def ctx_for(session: AsyncSession, person: Person, policy: Policy, now: datetime = NOW) -> Context:
    return Context(session=session, actor=person, policy=policy, now=now, platform="console")


@both_engines
async def test_an_option_backed_by_more_than_half_the_team_becomes_its_goal_at_once(database: Database) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        option = await offer(session, team_id=None, org=False, points=10, reward="Pizza lunch", proposed_by=None)
        other = await offer(session, team_id=None, org=False, points=20, reward="Escape game", proposed_by=None)
        row, _ = await vote(
            session,
            person=org["Bob"],
            round_id=await _round_id(session, org, "Engineering"),
            option_id=option.id or 0,
            now=NOW,
        )
        assert row.status == VOTING  # 1 of 3
        await vote(session, person=org["Claire"], round_id=row.id or 0, option_id=other.id or 0, now=NOW)
        await vote(session, person=org["Claire"], round_id=row.id or 0, option_id=option.id or 0, now=NOW)
        assert (row.status, row.reward, row.goal_points, row.started_at) == (ACTIVE, "Pizza lunch", 10, NOW)
        counts = await rewards_store.vote_counts(session, round_ids=[row.id or 0])
    assert counts == {row.id: {option.id: 2}}


async def offer(session: AsyncSession, **proposal: Any) -> RewardOption:
    return (await propose(session, **proposal)).option


async def _round_id(session: AsyncSession, org: Org, team: str) -> int:
    row = await ensure_round(session, team_id=org.teams[team].id)
    return row.id or 0


async def test_without_a_majority_the_leaderboard_settles_the_vote_ties_going_to_the_smaller_goal(
    database: Database,
) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        small = await offer(session, team_id=None, org=False, points=10, reward="Cake", proposed_by=None)
        big = await offer(session, team_id=None, org=False, points=30, reward="Boat trip", proposed_by=None)
        round_id = await _round_id(session, org, "Engineering")
        await vote(session, person=org["Bob"], round_id=round_id, option_id=big.id or 0, now=NOW)
        await vote(session, person=org["Claire"], round_id=round_id, option_id=small.id or 0, now=NOW)
        teams, organisation = await standings(session, now=NOW)
        await settle_votes(session, items=[*teams, organisation], now=NOW)
        row = await rewards_store.current_round(session, team_id=org.teams["Engineering"].id)
        sales = await rewards_store.current_round(session, team_id=org.teams["Sales"].id)
    assert row is not None and (row.status, row.reward) == (ACTIVE, "Cake")
    assert sales is not None and sales.status == VOTING  # nobody voted: still choosing


@both_engines
async def test_kudos_fill_the_recipients_team_pot_and_a_reached_goal_starts_the_next_round(
    database: Database, policy: Policy
) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        await give(session, org["Bob"], [org["Claire"]], at=NOW - timedelta(hours=1), points=5)  # before the goal
        await set_goal(session, team_id=org.teams["Engineering"].id, points=6, reward="Team lunch", now=NOW)
        await set_goal(session, team_id=org.teams["Sales"].id, points=100, reward="Offsite", now=NOW)
        later = NOW + timedelta(days=1)
        await give(session, org["Grace"], [org["Claire"], org["David"]], at=later, points=2)  # cross-team: Engineering
        await give(session, org["Bob"], [org["Hugo"]], at=later, points=3)  # to Sales
        await give(session, org["Claire"], [org["Bob"]], at=later, points=2)
        teams, organisation = await standings(session, now=later + timedelta(hours=1))
        pots = {item.team.name: item.pot for item in teams if item.team}
        assert pots == {"Engineering": 6, "Sales": 3}
        next_goal = await offer(
            session,
            team_id=org.teams["Engineering"].id,
            org=False,
            points=9,
            reward="Bowling",
            proposed_by=org["Bob"].id,
        )
        current = await rewards_store.current_round(session, team_id=org.teams["Engineering"].id)
        assert current is not None
        await vote(session, person=org["Bob"], round_id=current.id or 0, option_id=next_goal.id or 0, now=later)
        reached = await celebrate(
            session, policy=policy, items=[*teams, organisation], now=later + timedelta(hours=1), owner="test"
        )
        assert [item.team.name for item in reached if item.team] == ["Engineering"]
        rounds = await rewards_store.current_rounds(session)
    engineering = rounds[f"team:{org.teams['Engineering'].id}"]
    assert (engineering.number, engineering.status, engineering.reward, engineering.goal_points) == (
        2,
        ACTIVE,
        "Bowling",
        9,
    )
    async with database.sessions() as session:
        first = await rewards_store.get_round(session, round_id=current.id or 0)
        teams, _ = await standings(session, now=later + timedelta(hours=2))
    assert first is not None and first.status == REACHED
    assert {item.team.name: item.pot for item in teams if item.team} == {"Engineering": 0, "Sales": 3}


async def test_a_reached_goal_without_new_votes_keeps_the_same_goal(database: Database, policy: Policy) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        await set_goal(session, team_id=org.teams["Sales"].id, points=2, reward="Drinks", now=NOW)
        await give(session, org["Bob"], [org["Grace"]], at=NOW + timedelta(hours=1), points=2)
        teams, organisation = await standings(session, now=NOW + timedelta(hours=2))
        await celebrate(
            session, policy=policy, items=[*teams, organisation], now=NOW + timedelta(hours=2), owner="test"
        )
        row = await rewards_store.current_round(session, team_id=org.teams["Sales"].id)
    assert row is not None and (row.number, row.reward, row.goal_points, row.status) == (2, "Drinks", 2, ACTIVE)


async def test_rewards_command_shows_options_and_a_button_press_votes(database: Database, policy: Policy) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        await propose(session, team_id=None, org=False, points=10, reward="Pizza lunch", proposed_by=None)
        answer = await run_command(ctx_for(session, org["Bob"], policy), "rewards", "")
    assert answer.card is not None
    text = answer.card.plain()
    assert "Engineering's collective reward" in text and "Pizza lunch: 10 points (0 votes)" in text
    (button,) = answer.card.choices
    assert button.action == VOTE_ACTION
    async with database.transaction() as session:
        pressed = await run_action(ctx_for(session, org["Bob"], policy), button.action, button.value)
    assert pressed.replace_original and pressed.card is not None
    assert "Your vote for Pizza lunch is counted." in pressed.card.plain()
    assert "(1 vote) ✓" in pressed.card.plain() and pressed.card.choices == ()
    async with database.transaction() as session:
        foreign = await run_action(ctx_for(session, org["Grace"], policy), button.action, button.value)
        stale = await run_action(ctx_for(session, org["Bob"], policy), VOTE_ACTION, "999:1")
    assert foreign.card is not None and "Only members of the team" in foreign.card.plain()
    assert stale.card is not None and "This vote has closed" in stale.card.plain()


async def test_members_propose_for_their_team_and_only_admins_for_everyone(database: Database, policy: Policy) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        org["Alice"].email = "admin@example.com"
        mine = await run_command(ctx_for(session, org["Bob"], policy), "rewards", "propose 40 Karaoke night")
        refused = await run_command(ctx_for(session, org["Bob"], policy), "rewards", "propose org 900 Party")
        everyone = await run_command(ctx_for(session, org["Alice"], policy), "rewards", "propose 50 Cinema")
        company = await run_command(ctx_for(session, org["Alice"], policy), "rewards", "propose org 900 Party")
        bad = await run_command(ctx_for(session, org["Bob"], policy), "rewards", "propose lots of cake")
        sales_view = await run_command(ctx_for(session, org["Grace"], policy), "rewards", "")
        french = await run_command(ctx_for(session, org["Claire"], policy), "rewards", "")
    assert mine.card is not None and "Proposed to your team: Karaoke night (40 points)." in mine.card.plain()
    assert refused.card is not None and "Only an admin" in refused.card.plain()
    assert everyone.card is not None and "Proposed to every team: Cinema (50 points)." in everyone.card.plain()
    assert company.card is not None and "organisation's collective reward" in company.card.plain()
    assert bad.card is not None and "Say how many points" in bad.card.plain()
    assert sales_view.card is not None
    assert "Cinema" in sales_view.card.plain() and "Karaoke" not in sales_view.card.plain()
    assert french.card is not None and "Récompense collective d'Engineering" in french.card.plain()


@both_engines
async def test_a_withdrawn_option_leaves_the_ballot_once(database: Database) -> None:
    async with database.transaction() as session:
        option = await offer(session, team_id=None, org=False, points=10, reward="Pizza lunch", proposed_by=None)
        assert (await withdraw(session, option_id=option.id or 0)).active is False
        with pytest.raises(RewardError, match="option_unavailable"):
            await withdraw(session, option_id=option.id or 0)
        with pytest.raises(RewardError, match="option_unavailable"):
            await withdraw(session, option_id=999)


@both_engines
async def test_rewards_command_says_how_a_goal_is_chosen_then_shows_the_pot_filling(
    database: Database, policy: Policy
) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        bob = ctx_for(session, org["Bob"], policy, now=NOW + timedelta(days=1))
        nothing = await run_command(bob, "rewards", "")
        await propose(session, team_id=None, org=False, points=10, reward="Pizza lunch", proposed_by=None)
        choosing = await run_command(bob, "rewards", "")
        await set_goal(session, team_id=org.teams["Engineering"].id, points=6, reward="Team lunch", now=NOW)
        await set_goal(session, team_id=None, points=20, reward="Party", now=NOW)
        await give(session, org["Grace"], [org["Claire"]], at=NOW + timedelta(hours=1), points=2)
        working = await run_command(bob, "rewards", "")
        everyone = await run_command(bob, "rewards", "org")
    assert nothing.card is not None and "No reward has been proposed yet." in nothing.card.plain()
    assert choosing.card is not None and "No goal chosen yet. Vote below" in choosing.card.plain()
    assert working.card is not None and "Goal: Team lunch, 2 / 6 points" in working.card.plain()
    assert "Vote for the next goal; it starts once this one is reached." in working.card.plain()
    assert everyone.card is not None and "Goal: Party, 2 / 20 points" in everyone.card.plain()
