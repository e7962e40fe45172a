"""A reward goal reached is celebrated within a minute: one post where the team reads it and one private request
to its manager, once whatever the number of runs, replicas or leaderboards that follow."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from handlers.digest import load_org_data
from handlers.policy import Policy
from handlers.rewards import CELEBRATION, LEADERBOARD, REWARD_DUE
from handlers.rewards.proposals import set_goal
from scheduler.goals import FULL_LOOK, OVERLAP, GoalWatch
from scheduler.jobs import ScheduledJobs
from storage import rewards as rewards_store
from storage import schedule as schedule_store
from storage.db import Database
from storage.models.rewards import ACTIVE, REACHED
from tests.conftest import both_engines
from tests.scheduler.support import Org, card_of, config, give, queued, seed

TUESDAY = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
FRIDAY_16_PARIS = datetime(2026, 4, 3, 14, 0, tzinfo=UTC)


def slack_policy(policy: Policy, **changes: object) -> Policy:
    values: dict[str, object] = {"platforms": ("slack",), "recognition_channel": "CKUDOS", **changes}
    return replace(policy, **values)  # type: ignore[arg-type]


def goal_jobs(database: Database, policy: Policy, owner: str = "test") -> ScheduledJobs:
    settings = config(
        manager_digest=None, team_digest=None, platforms=("slack",), leaderboard_channels=(("slack", "CLEAD"),)
    )
    return ScheduledJobs(database, settings, policy, owner=owner)


async def seed_goals(database: Database, *, channels: bool = True) -> Org:
    """Engineering works towards 6 points (a team lunch), Sales towards 100; the organisation towards 50."""
    async with database.transaction() as session:
        org = await seed(session, slack=True, channels=channels)
        start = TUESDAY - timedelta(days=1)
        await set_goal(session, team_id=org.teams["Engineering"].id, points=6, reward="Team lunch", now=start)
        await set_goal(session, team_id=org.teams["Sales"].id, points=100, reward="Offsite", now=start)
        await set_goal(session, team_id=None, points=50, reward="Charity day", now=start)
        await give(session, org["Grace"], [org["Claire"]], at=TUESDAY - timedelta(hours=2), points=4)
    return org


async def cross(database: Database, org: Org, at: datetime = TUESDAY) -> None:
    """The kudos that takes Engineering from 4 to 6 points."""
    async with database.transaction() as session:
        await give(session, org["Hugo"], [org["David"]], at=at, points=2)


@both_engines
async def test_a_kudos_crossing_the_goal_is_celebrated_once_in_the_team_channel_and_to_its_manager(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database)
    jobs = goal_jobs(database, slack_policy(policy))
    assert await jobs.rewards(TUESDAY - timedelta(minutes=30)) == 0  # 4 of 6 points: nothing yet
    await cross(database, org)
    assert await jobs.rewards(TUESDAY + timedelta(minutes=1)) == 1
    assert await jobs.rewards(TUESDAY + timedelta(minutes=2)) == 0
    assert await goal_jobs(database, slack_policy(policy), owner="restarted").rewards(TUESDAY + timedelta(hours=1)) == 0
    (post,) = await queued(database, kind=CELEBRATION)
    team = org.teams["Engineering"]
    assert (post.platform, post.channel) == ("slack", "CENG")
    assert post.dedupe_key == f"reward_reached:team:{team.id}:round-1:slack"
    text = card_of(post).plain()
    assert "🎉 Engineering reached 6 points: Team lunch!" in text and "Your manager has been asked" in text
    (request,) = await queued(database, kind=REWARD_DUE)
    assert request.person_id == org["Alice"].id
    assert (
        "Engineering reached its goal of 6 points. Time to deliver the reward: Team lunch." in card_of(request).plain()
    )
    async with database.sessions() as session:
        (first,) = await rewards_store.reached_rounds(session, since=TUESDAY, until=TUESDAY + timedelta(days=1))
        current = await rewards_store.current_round(session, team_id=team.id)
        claim = await schedule_store.get_claim(session, kind=CELEBRATION, target=f"team:{team.id}", period="round-1")
    assert (first.team_id, first.number, first.status) == (team.id, 1, REACHED)
    assert current is not None and (current.number, current.status, current.reward) == (2, ACTIVE, "Team lunch")
    assert current.started_at is not None and current.started_at.astimezone(UTC) == TUESDAY + timedelta(minutes=1)
    assert claim is not None and (claim.status, claim.deliveries) == ("queued", 2)


@both_engines
async def test_two_replicas_looking_at_the_same_moment_celebrate_once(database: Database, policy: Policy) -> None:
    org = await seed_goals(database)
    await cross(database, org)
    replica = Database(database.url.render_as_string(hide_password=False))
    try:
        done = await asyncio.gather(
            goal_jobs(database, slack_policy(policy), owner="one").rewards(TUESDAY + timedelta(minutes=1)),
            goal_jobs(replica, slack_policy(policy), owner="two").rewards(TUESDAY + timedelta(minutes=1)),
        )
    finally:
        await replica.dispose()
    assert sorted(done) == [0, 1]
    assert len(await queued(database, kind=CELEBRATION)) == 1
    assert len(await queued(database, kind=REWARD_DUE)) == 1


async def test_the_next_leaderboard_shows_the_goal_reached_without_cheering_it_again(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database)
    chosen = slack_policy(policy)
    jobs = goal_jobs(database, chosen)
    await jobs.rewards(TUESDAY - timedelta(minutes=5))
    await cross(database, org)
    await jobs.rewards(TUESDAY + timedelta(minutes=1))
    async with database.transaction() as session:  # a kudos towards Engineering's next round
        await give(session, org["Grace"], [org["Bob"]], at=TUESDAY + timedelta(hours=1), points=1)
    await jobs.leaderboard(FRIDAY_16_PARIS)
    (board,) = await queued(database, kind=LEADERBOARD)
    text = card_of(board).plain()
    assert "✓ Engineering reached 6 points: Team lunch" in text
    assert "🎉" not in text
    assert "Engineering: 1 / 6 points towards Team lunch" in text  # the round that started when it was reached
    assert len(await queued(database, kind=CELEBRATION)) == 1
    assert len(await queued(database, kind=REWARD_DUE)) == 1
    async with database.transaction() as session:
        await give(session, org["Grace"], [org["Bob"]], at=FRIDAY_16_PARIS + timedelta(days=1), points=1)
    await jobs.leaderboard(FRIDAY_16_PARIS + timedelta(days=7))  # a week later: nothing reached since
    later = card_of((await queued(database, kind=LEADERBOARD))[-1]).plain()
    assert "✓" not in later and "Engineering: 2 / 6 points towards Team lunch" in later


async def test_a_goal_nobody_celebrated_yet_is_celebrated_by_the_leaderboard_once(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database)
    await cross(database, org)
    jobs = goal_jobs(database, slack_policy(policy))
    await jobs.leaderboard(FRIDAY_16_PARIS + timedelta(minutes=3))  # no minute look ran (a scheduler stopped)
    await jobs.rewards(FRIDAY_16_PARIS + timedelta(minutes=4))
    await jobs.leaderboard(FRIDAY_16_PARIS + timedelta(days=7))
    board, next_week = await queued(database, kind=LEADERBOARD)
    assert "🎉 Engineering reached 6 points: Team lunch!" in card_of(board).plain()
    assert "Engineering" in card_of(next_week).plain() and "reached" not in card_of(next_week).plain()
    (post,) = await queued(database, kind=CELEBRATION)
    assert post.channel == "CENG"
    assert len(await queued(database, kind=REWARD_DUE)) == 1


async def test_the_organisations_goal_is_celebrated_in_the_recognition_channel_and_to_the_admins(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database)
    async with database.transaction() as session:
        org["Alice"].email = "admin@example.com"
        session.add(org["Alice"])
        await give(session, org["Bob"], [org["Grace"], org["Hugo"]], at=TUESDAY, points=25)
    await goal_jobs(database, slack_policy(policy)).rewards(TUESDAY + timedelta(minutes=1))
    posts = {row.channel: card_of(row).plain() for row in await queued(database, kind=CELEBRATION)}
    assert set(posts) == {"CKUDOS"}
    assert "🎉 Together we reached 50 points: Charity day!" in posts["CKUDOS"]
    assert "The admins have been asked" in posts["CKUDOS"]
    (request,) = await queued(database, kind=REWARD_DUE)
    assert request.person_id == org["Alice"].id
    assert "The whole organisation reached 50 points together" in card_of(request).plain()


async def test_the_post_is_in_the_workspace_language_and_the_request_in_the_managers(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database, channels=False)  # no team channel: the recognition channel
    async with database.transaction() as session:
        org["Alice"].language = "fr"
        session.add(org["Alice"])
    await cross(database, org)
    await goal_jobs(database, slack_policy(policy, language="fr")).rewards(TUESDAY + timedelta(minutes=1))
    (post,) = await queued(database, kind=CELEBRATION)
    assert post.channel == "CKUDOS"
    text = card_of(post).plain()
    assert "Objectif atteint !" in text and "🎉 Engineering a atteint 6 points : Team lunch !" in text
    assert "Votre manager a été invité à organiser la récompense." in text
    (request,) = await queued(database, kind=REWARD_DUE)
    assert "Engineering a atteint son objectif de 6 points." in card_of(request).plain()


async def test_in_the_console_demo_the_celebration_shows_in_the_teams_console_channel(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database, channels=False)
    await cross(database, org)
    await goal_jobs(database, policy).rewards(TUESDAY + timedelta(minutes=1))
    (post,) = await queued(database, kind=CELEBRATION)
    assert (post.platform, post.channel) == ("console", "team-engineering")
    (request,) = await queued(database, kind=REWARD_DUE)
    assert request.platform == "console"


async def test_after_a_look_at_every_pot_each_minute_reads_only_the_teams_that_received_kudos(
    database: Database, policy: Policy
) -> None:
    watch = GoalWatch()
    assert watch.since(TUESDAY) is None  # at start: every pot
    watch.looked(TUESDAY, full=True)
    assert watch.since(TUESDAY + timedelta(minutes=1)) == TUESDAY - OVERLAP
    watch.looked(TUESDAY + timedelta(minutes=1), full=False)
    assert watch.since(TUESDAY + FULL_LOOK) is None  # every hour: every pot again
    org = await seed_goals(database)
    jobs = goal_jobs(database, slack_policy(policy))
    await jobs.rewards(TUESDAY - timedelta(minutes=10))
    await cross(database, org, at=TUESDAY - timedelta(minutes=8))  # committed late, stamped before the last look
    assert await jobs.rewards(TUESDAY - timedelta(minutes=5)) == 1
    assert len(await queued(database, kind=CELEBRATION)) == 1


async def test_a_goal_reached_without_a_new_kudos_is_found_by_the_hourly_look_at_every_pot(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database)
    async with database.transaction() as session:
        await give(session, org["Bob"], [org["Grace"]], at=TUESDAY - timedelta(hours=3), points=3)
    jobs = goal_jobs(database, slack_policy(policy))
    await jobs.rewards(TUESDAY)
    async with database.transaction() as session:  # an admin lowers Sales' goal under its pot: no kudos moved
        await set_goal(session, team_id=org.teams["Sales"].id, points=3, reward="Offsite", now=TUESDAY)
    assert await jobs.rewards(TUESDAY + timedelta(minutes=1)) == 0  # only teams that received kudos are read
    assert await jobs.rewards(TUESDAY + FULL_LOOK) == 1
    (post,) = await queued(database, kind=CELEBRATION)
    assert post.channel == "CSALES"


async def test_the_organisation_digest_still_lists_a_goal_reached_and_closed_during_its_week(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database)
    await cross(database, org)
    await goal_jobs(database, slack_policy(policy)).rewards(TUESDAY + timedelta(minutes=1))
    monday = TUESDAY - timedelta(days=1)
    async with database.sessions() as session:
        week = await load_org_data(
            session, report=None, now=monday + timedelta(days=7), month_start=monday, since=monday
        )
        next_week = await load_org_data(
            session, report=None, now=monday + timedelta(days=14), month_start=monday, since=monday + timedelta(days=7)
        )
    assert [(item.team.name if item.team else None, item.goal) for item in week.reached] == [("Engineering", 6)]
    assert next_week.reached == ()


@both_engines
async def test_the_leaderboard_and_a_minute_look_at_the_same_moment_celebrate_once(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database)
    await cross(database, org)
    replica = Database(database.url.render_as_string(hide_password=False))
    try:
        await asyncio.gather(
            goal_jobs(database, slack_policy(policy), owner="one").leaderboard(FRIDAY_16_PARIS),
            goal_jobs(replica, slack_policy(policy), owner="two").rewards(FRIDAY_16_PARIS),
        )
    finally:
        await replica.dispose()
    assert len(await queued(database, kind=CELEBRATION)) == 1
    assert len(await queued(database, kind=REWARD_DUE)) == 1
    (board,) = await queued(database, kind=LEADERBOARD)
    text = card_of(board).plain()
    assert ("🎉 Engineering reached 6 points: Team lunch!" in text) != ("✓ Engineering reached 6 points" in text)
