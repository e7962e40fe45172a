"""Digests fire at each manager's local Monday 09:00, across DST changes, catch up once, and never go out twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from handlers.digest.manager import MANAGER_DIGEST
from handlers.digest.team import TEAM_DIGEST
from handlers.messages import Card
from handlers.policy import Policy
from scheduler.jobs import ScheduledJobs
from scheduler.outbox_worker import OutboxWorker
from scheduler.sending import Destination
from storage import schedule as schedule_store
from storage.db import Database
from storage.models import TeamSchedule
from storage.models.schedule import QUEUED, SENT
from tests.conftest import both_engines
from tests.scheduler.support import Org, card_of, config, give, queued, seed, seed_database


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


async def sent_digests(database: Database, org: Org) -> set[tuple[str, str]]:
    """(manager first name, ISO week) of every manager digest queued so far."""
    names = {person.id: name for name, person in org.people.items()}
    async with database.sessions() as session:
        claims = await schedule_store.recent_claims(session, since=utc(2026, 1, 1), limit=1000)
    return {(names[int(row.target)], row.period) for row in claims if row.kind == MANAGER_DIGEST}


def digest_jobs(database: Database, policy: Policy, **changes: object) -> ScheduledJobs:
    settings = {"team_digest": None, "leaderboard": None, **changes}
    return ScheduledJobs(database, config(**settings), policy, owner="test")


TIMELINE = [
    # New York moves to summer time on 8 March 2026, Paris on 29 March.
    (utc(2026, 3, 2, 7, 59), set()),
    (utc(2026, 3, 2, 8, 0), {("Alice", "2026-W10")}),  # 09:00 CET
    (utc(2026, 3, 2, 13, 59), set()),
    (utc(2026, 3, 2, 14, 0), {("Noah", "2026-W10")}),  # 09:00 EST
    (utc(2026, 3, 9, 7, 59), set()),
    (utc(2026, 3, 9, 8, 0), {("Alice", "2026-W11")}),
    (utc(2026, 3, 9, 12, 59), set()),
    (utc(2026, 3, 9, 13, 0), {("Noah", "2026-W11")}),  # 09:00 EDT
    (utc(2026, 3, 23, 7, 59), set()),
    (utc(2026, 3, 23, 8, 0), {("Alice", "2026-W13")}),
    (utc(2026, 3, 23, 13, 0), {("Noah", "2026-W13")}),
    (utc(2026, 3, 30, 6, 59), set()),
    (utc(2026, 3, 30, 7, 0), {("Alice", "2026-W14")}),  # 09:00 CEST
    (utc(2026, 3, 30, 12, 59), set()),
    (utc(2026, 3, 30, 13, 0), {("Noah", "2026-W14")}),
]


async def test_each_manager_gets_the_digest_at_nine_on_monday_in_their_own_time_zone(
    database: Database, policy: Policy
) -> None:
    org = await seed_database(database)
    jobs = digest_jobs(database, policy)
    seen: set[tuple[str, str]] = set()
    for moment, expected in TIMELINE:
        await jobs.tick(moment)
        now_sent = await sent_digests(database, org)
        assert now_sent - seen == expected, moment
        seen = now_sent
    rows = await queued(database, kind=MANAGER_DIGEST)
    assert sorted(row.person_id for row in rows) == sorted([org["Noah"].id] * 4 + [org["Alice"].id] * 4)


async def test_a_missed_run_is_caught_up_once_within_the_grace_window(database: Database, policy: Policy) -> None:
    org = await seed_database(database)
    jobs = digest_jobs(database, policy)
    await jobs.tick(utc(2026, 3, 31, 6, 0))  # back after a downtime: Alice's was 23 h ago, Noah's 17 h ago
    assert await sent_digests(database, org) == {("Alice", "2026-W14"), ("Noah", "2026-W14")}
    for moment in (utc(2026, 3, 31, 6, 1), utc(2026, 3, 31, 12, 0), utc(2026, 4, 5, 20, 0)):
        await jobs.tick(moment)
    restarted = digest_jobs(Database(str(database.url.render_as_string(hide_password=False))), policy)
    await restarted.tick(utc(2026, 3, 31, 6, 30))
    await restarted.database.dispose()
    assert len(await queued(database, kind=MANAGER_DIGEST)) == 2


async def test_beyond_the_grace_window_a_stale_digest_is_not_sent_late(database: Database, policy: Policy) -> None:
    org = await seed_database(database)
    await digest_jobs(database, policy).tick(utc(2026, 3, 31, 7, 1))  # Alice's was 24 h 1 min ago
    assert await sent_digests(database, org) == {("Noah", "2026-W14")}


@both_engines
async def test_replicas_ticking_at_the_same_moment_send_each_digest_once(database: Database, policy: Policy) -> None:
    org = await seed_database(database)
    url = database.url.render_as_string(hide_password=False)
    replicas = [Database(url) for _ in range(3)]
    try:
        jobs = [digest_jobs(replica, policy) for replica in replicas]
        await asyncio.gather(*(job.tick(utc(2026, 3, 30, 13, 0)) for job in jobs))
    finally:
        for replica in replicas:
            await replica.dispose()
    rows = await queued(database, kind=MANAGER_DIGEST)
    assert sorted(row.person_id for row in rows) == sorted([org["Alice"].id, org["Noah"].id])
    assert await sent_digests(database, org) == {("Alice", "2026-W14"), ("Noah", "2026-W14")}


async def test_every_kudos_lands_in_exactly_one_weekly_digest(database: Database, policy: Policy) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        await give(session, org["Claire"], [org["Bob"]], at=utc(2026, 3, 29, 21, 30), message="late sunday fix")
        await give(session, org["Claire"], [org["David"]], at=utc(2026, 3, 30, 7, 30), message="monday standup")
    jobs = digest_jobs(database, policy)
    await jobs.tick(utc(2026, 3, 30, 7, 45))
    await jobs.tick(utc(2026, 4, 6, 7, 0))
    first, second = [card_of(row).plain() for row in await queued(database, kind=MANAGER_DIGEST)]
    assert "late sunday fix" in first and "monday standup" not in first
    assert "monday standup" in second and "late sunday fix" not in second


async def test_team_digests_follow_the_team_time_zone_and_go_to_its_channel(database: Database, policy: Policy) -> None:
    async with database.transaction() as session:
        org = await seed(session, channels=True)
        await give(session, org["Bob"], [org["Grace"]], at=utc(2026, 4, 2, 12), values=["teamwork"])
        await give(session, org["Grace"], [org["Claire"]], at=utc(2026, 4, 2, 12), message="merci")
        session.add(TeamSchedule(team_id=org.teams["Sales"].id or 0, timezone="Asia/Tokyo"))
    jobs = digest_jobs(database, policy, team_digest=config().team_digest, manager_digest=None, platforms=("slack",))
    await jobs.tick(utc(2026, 4, 3, 5, 59))
    assert await queued(database, kind=TEAM_DIGEST) == []
    await jobs.tick(utc(2026, 4, 3, 6, 0))  # Friday 15:00 in Tokyo
    (sales,) = await queued(database, kind=TEAM_DIGEST)
    assert (sales.platform, sales.channel) == ("slack", "CSALES")
    await jobs.tick(utc(2026, 4, 3, 13, 0))  # Friday 15:00 in Paris, Alice's (the manager's) time zone
    engineering = (await queued(database, kind=TEAM_DIGEST))[1]
    assert engineering.channel == "CENG" and "merci" in card_of(engineering).plain()


class Recorder:
    platform = "console"

    def __init__(self) -> None:
        self.cards: list[tuple[int | None, Card]] = []

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        self.cards.append((destination.person_id, card))
        return None


async def test_claims_record_what_became_of_their_deliveries(database: Database, policy: Policy) -> None:
    org = await seed_database(database)
    jobs = digest_jobs(database, policy)
    await jobs.tick(utc(2026, 3, 30, 7, 0))
    async with database.sessions() as session:
        (claim,) = await schedule_store.recent_claims(session, since=utc(2026, 1, 1))
    assert (claim.status, claim.deliveries, claim.owner) == (QUEUED, 1, "test")
    recorder = Recorder()
    await OutboxWorker(database, {"console": recorder}).drain()
    assert [person for person, _ in recorder.cards] == [org["Alice"].id]
    await jobs.tick(utc(2026, 3, 30, 7, 1))
    async with database.sessions() as session:
        (claim,) = await schedule_store.recent_claims(session, since=utc(2026, 1, 1))
    assert claim.status == SENT


@pytest.mark.parametrize("spec", ["off"])
async def test_a_team_can_turn_its_manager_digest_off(database: Database, policy: Policy, spec: str) -> None:
    async with database.transaction() as session:
        org = await seed(session)
        session.add(TeamSchedule(team_id=org.teams["Engineering"].id or 0, manager_digest=spec))
    await digest_jobs(database, policy).tick(utc(2026, 3, 30, 13, 0))
    assert await sent_digests(database, org) == {("Noah", "2026-W14")}
