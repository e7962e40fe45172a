"""The Friday leaderboard: teams ranked by progress towards their own goal, never people, posted once a week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.messages import Mention
from handlers.policy import Policy
from handlers.rewards import LEADERBOARD, REWARD_DUE
from handlers.rewards.proposals import set_goal
from scheduler.housekeeping import HOUSEKEEPING_JOB
from scheduler.jobs import ScheduledJobs
from scheduler.schedules import parse_schedule
from scheduler.service import (
    LEADERBOARD_JOB,
    PULSE_JOB,
    RETENTION_JOB,
    REWARDS_JOB,
    SUMMARY_JOB,
    TICK_JOB,
    build_scheduler,
)
from storage import rewards as rewards_store
from storage.db import Database
from tests.scheduler.support import PEOPLE, Org, card_of, config, give, queued, seed

FRIDAY_16_PARIS = datetime(2026, 4, 3, 14, 0, tzinfo=UTC)


def leaderboard_jobs(database: Database, policy: Policy, **changes: object) -> ScheduledJobs:
    settings: dict[str, object] = {
        "manager_digest": None,
        "team_digest": None,
        "platforms": ("slack",),
        "leaderboard_channels": (("slack", "CLEAD"),),
        **changes,
    }
    return ScheduledJobs(database, config(**settings), policy, owner="test")


async def seed_goals(database: Database) -> Org:
    start = FRIDAY_16_PARIS - timedelta(days=6)
    async with database.transaction() as session:
        org = await seed(session)
        await set_goal(session, team_id=org.teams["Engineering"].id, points=6, reward="Team lunch", now=start)
        await set_goal(session, team_id=org.teams["Sales"].id, points=100, reward="Offsite", now=start)
        day = start + timedelta(days=1)
        await give(session, org["Grace"], [org["Claire"], org["David"]], at=day, points=3)
        await give(session, org["Bob"], [org["Hugo"]], at=day, points=3)
    return org


def test_the_leaderboard_job_fires_friday_at_16_in_the_workspace_zone_across_dst(policy: Policy) -> None:
    jobs = leaderboard_jobs(Database("sqlite+aiosqlite:///:memory:"), policy)
    scheduler = build_scheduler(jobs, jobs.config)
    trigger = scheduler.get_job(LEADERBOARD_JOB).trigger
    assert trigger.get_next_fire_time(None, datetime(2026, 3, 26, tzinfo=UTC)) == datetime(2026, 3, 27, 15, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, datetime(2026, 3, 28, tzinfo=UTC)) == datetime(2026, 4, 3, 14, tzinfo=UTC)
    assert {job.id for job in scheduler.get_jobs()} == {
        TICK_JOB,
        LEADERBOARD_JOB,
        PULSE_JOB,
        RETENTION_JOB,
        SUMMARY_JOB,
        HOUSEKEEPING_JOB,
        REWARDS_JOB,
    }
    off = build_scheduler(leaderboard_jobs(jobs.database, policy, leaderboard=None), jobs.config)
    assert off.get_job(LEADERBOARD_JOB) is not None  # the config given to build_scheduler decides
    quiet = build_scheduler(jobs, config(leaderboard=None))
    assert quiet.get_job(LEADERBOARD_JOB) is None


async def test_the_leaderboard_ranks_teams_by_progress_celebrates_and_names_no_one(
    database: Database, policy: Policy
) -> None:
    org = await seed_goals(database)
    jobs = leaderboard_jobs(database, policy)
    await jobs.leaderboard(FRIDAY_16_PARIS - timedelta(minutes=1))
    assert await queued(database, kind=LEADERBOARD) == []
    await jobs.leaderboard(FRIDAY_16_PARIS)
    await jobs.leaderboard(FRIDAY_16_PARIS + timedelta(minutes=1))
    await jobs.tick(FRIDAY_16_PARIS + timedelta(hours=20))
    (post,) = await queued(database, kind=LEADERBOARD)
    assert (post.platform, post.channel, post.dedupe_key) == ("slack", "CLEAD", "leaderboard:org:2026-W14:slack")
    card = card_of(post)
    text = card.plain()
    lines = text.splitlines()
    assert lines.index("1. Engineering: 6 / 6 points towards Team lunch") < lines.index(
        "2. Sales: 3 / 100 points towards Offsite"
    )
    assert "██████████ 100%" in text and "🎉 Engineering reached 6 points: Team lunch!" in text
    for _email, name, *_ in PEOPLE:
        assert name.split()[0] not in text
    parts = [part for section in card.sections if section.text for part in section.text.parts]
    assert not any(isinstance(part, Mention) for part in parts)
    (request,) = await queued(database, kind=REWARD_DUE)
    assert request.person_id == org["Alice"].id and "Team lunch" in card_of(request).plain()
    async with database.sessions() as session:
        engineering = await rewards_store.current_round(session, team_id=org.teams["Engineering"].id)
    assert engineering is not None and (engineering.number, engineering.reward) == (2, "Team lunch")


async def test_a_leaderboard_missed_during_a_downtime_is_posted_once_by_the_next_tick(
    database: Database, policy: Policy
) -> None:
    await seed_goals(database)
    jobs = leaderboard_jobs(database, policy)
    await jobs.tick(FRIDAY_16_PARIS + timedelta(hours=23))
    await jobs.tick(FRIDAY_16_PARIS + timedelta(hours=23, minutes=1))
    assert len(await queued(database, kind=LEADERBOARD)) == 1
    late = leaderboard_jobs(database, policy)
    await late.tick(FRIDAY_16_PARIS + timedelta(days=7, hours=25))  # the next one, missed beyond the grace
    assert len(await queued(database, kind=LEADERBOARD)) == 1


async def test_in_the_console_demo_the_leaderboard_is_shown_in_the_terminal(database: Database, policy: Policy) -> None:
    await seed_goals(database)
    jobs = leaderboard_jobs(
        database, policy, platforms=(), leaderboard_channels=(), leaderboard=parse_schedule("fri 16:00")
    )
    await jobs.leaderboard(FRIDAY_16_PARIS)
    (post,) = await queued(database, kind=LEADERBOARD)
    assert (post.platform, post.channel) == ("console", "leaderboard")
