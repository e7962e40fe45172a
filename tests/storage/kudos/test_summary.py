"""The kudos summary gives the same totals as the kudos themselves: after a roll-up, for kudos stamped with days
already summarised, after deletions and updates, after a second roll-up, with two roll-ups at once, with a kudos
written while a roll-up runs, and when the zone changes. The reference is computed in Python from every
`kudos_recipient` row."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, col, delete, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.kudos.leaderboard import PERIODS, period_start
from storage import people as people_store
from storage.db import Database
from storage.kudos import leaderboard as leaderboard_store
from storage.kudos import pots as pots_store
from storage.kudos import summary as summary_store
from storage.kudos.rollup import roll_up, roll_up_step
from storage.models import Kudos, KudosRecipient, KudosSummary, KudosSummaryChange, Person, RewardRound, Team
from storage.models.rewards import ACTIVE
from tests.conftest import both_engines

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)  # a Wednesday
ORG_SPAN = timedelta(days=37, hours=7)
TEAMS = 4
PEOPLE = 12
Window = tuple[datetime | None, datetime]
Totals = dict[int, tuple[int, int]]


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def seed(database: Database, *, kudos: int = 300, days: int = 200) -> list[Person]:
    """Teams, people (the last two without a team), kudos with one to three recipients over the last `days`, and a
    reward round per team started at various moments."""
    rng = random.Random(3)
    async with database.transaction() as session:
        teams = [Team(name=f"Team {index}") for index in range(TEAMS)]
        for team in teams:
            await people_store.save(session, team)
        people = [
            Person(display_name=f"Person {index:02d}", team_id=teams[index % TEAMS].id if index < PEOPLE - 2 else None)
            for index in range(PEOPLE)
        ]
        for person in people:
            await people_store.save(session, person)
        for number in range(kudos):
            moment = NOW - timedelta(seconds=rng.uniform(0, days * 86_400))
            recipients = rng.sample(people, rng.randint(1, 3))
            await give(session, rng.choice(people), recipients, moment, points=rng.randint(1, 3), key=number)
        for index, team in enumerate(teams):
            started = NOW - timedelta(days=3 + 17 * index, hours=index * 5 + 1)
            session.add(
                RewardRound(scope_key=f"team:{team.id}", team_id=team.id, number=1, status=ACTIVE, started_at=started)
            )
        await session.flush()
    return people


async def give(
    session: AsyncSession, giver: Person, recipients: Sequence[Person], at: datetime, *, points: int, key: int
) -> None:
    kudos = Kudos(
        giver_id=giver.id or 0,
        points=points,
        message="thanks",
        source="command",
        platform="slack",
        idempotency_key=f"summary:{key}",
        created_at=utc(at),
    )
    session.add(kudos)
    await session.flush()
    for person in recipients:
        row = KudosRecipient(
            kudos_id=kudos.id or 0,
            recipient_id=person.id or 0,
            team_id=person.team_id,
            points=points,
            created_at=utc(at),
        )
        session.add(row)
    await session.flush()


async def all_rows(database: Database) -> list[KudosRecipient]:
    async with database.sessions() as session:
        return list((await session.exec(select(KudosRecipient))).all())


def reference(rows: Sequence[KudosRecipient], start: datetime | None, end: datetime) -> tuple[Totals, Totals]:
    """Teams' (points, distinct kudos) and people's (points, recipients) in the window."""
    team_points: dict[int, int] = defaultdict(int)
    team_kudos: dict[int, set[int]] = defaultdict(set)
    people: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for row in rows:
        at = utc(row.created_at)
        if at >= end or (start is not None and at < start):
            continue
        points, count = people[row.recipient_id]
        people[row.recipient_id] = (points + row.points, count + 1)
        if row.team_id is not None:
            team_points[row.team_id] += row.points
            team_kudos[row.team_id].add(row.kudos_id)
    return {team: (team_points[team], len(team_kudos[team])) for team in team_points}, dict(people)


async def team_points(session: AsyncSession, *, team_id: int, start: datetime | None, end: datetime) -> int:
    """Points a team's members earned for it in the window, summed from the summary's rows for that team."""
    totals = await summary_store.window_totals(session, subject=summary_store.TEAM, start=start, end=end)
    statement = select(func.coalesce(func.sum(totals.c.points), 0)).where(totals.c.subject_id == team_id)
    return int((await session.exec(statement)).one())


async def bravo(database: Database, start: datetime | None, end: datetime) -> tuple[Totals, Totals]:
    async with database.sessions() as session:
        teams = await leaderboard_store.team_totals(session, start=start, end=end)
        people = await leaderboard_store.person_totals(session, start=start, end=end)
        for team in teams:
            assert await team_points(session, team_id=team.team_id, start=start, end=end) == team.points
    return {t.team_id: (t.points, t.kudos) for t in teams}, {p.person.id or 0: (p.points, p.kudos) for p in people}


def windows(now: datetime, zone: ZoneInfo) -> list[Window]:
    """Every leaderboard period at `now`, a window no period starts, and windows that end in the past."""
    end = now + timedelta(microseconds=1)
    found: list[Window] = [(period_start(period, now, zone), end) for period in PERIODS]
    earlier_month = period_start("month", now - timedelta(days=45), zone)
    return [*found, (now - timedelta(days=40, hours=5), end), (None, now - timedelta(days=20)), (earlier_month, end)]


def pots_reference(rows: Sequence[KudosRecipient], rounds: Sequence[RewardRound], until: datetime) -> tuple[dict, int]:
    def between(row: KudosRecipient, since: datetime) -> bool:
        return since <= utc(row.created_at) < until

    pots = {
        team_round.id or 0: sum(
            row.points
            for row in rows
            if team_round.started_at and row.team_id == team_round.team_id and between(row, utc(team_round.started_at))
        )
        for team_round in rounds
    }
    return pots, sum(row.points for row in rows if between(row, until - ORG_SPAN))


async def pots_bravo(database: Database, until: datetime) -> tuple[dict[int, int], int, list[RewardRound]]:
    async with database.sessions() as session:
        rounds = list((await session.exec(select(RewardRound))).all())
        pots = await pots_store.team_pots(session, rounds=rounds, until=until)
        org = await pots_store.org_points(session, since=until - ORG_SPAN, until=until)
    return pots, org, rounds


async def assert_same(database: Database, *, now: datetime = NOW, zone: ZoneInfo = PARIS) -> None:
    rows = await all_rows(database)
    for start, end in windows(now, zone):
        assert await bravo(database, start, end) == reference(rows, start, end), (start, end)
    for until in (now, now - timedelta(days=9)):
        pots, org, rounds = await pots_bravo(database, until)
        assert (pots, org) == pots_reference(rows, rounds, until), until


async def count(database: Database, model: type[SQLModel]) -> int:
    async with database.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def oldest_day(database: Database) -> date:
    async with database.sessions() as session:
        oldest = (await session.exec(select(func.min(KudosRecipient.created_at)))).one()
    assert oldest is not None
    return utc(oldest).astimezone(PARIS).date()


def another(database: Database) -> Database:
    """A second engine on the same database, like another replica."""
    return Database(database.url.render_as_string(hide_password=False))


@both_engines
async def test_the_summary_gives_the_plain_totals_and_a_second_roll_up_changes_nothing(database: Database) -> None:
    await seed(database)
    await assert_same(database)  # no summary yet: the kudos alone
    report = await roll_up(database, zone=PARIS, now=NOW)
    assert report.rebuilt and report.days == (NOW.astimezone(PARIS).date() - await oldest_day(database)).days
    async with database.sessions() as session:
        state = await summary_store.summary_state(session)
    assert state is not None and state.zone == "Europe/Paris" and state.next_day == NOW.astimezone(PARIS).date()
    assert await count(database, KudosSummary) > 0
    await assert_same(database)
    again = await roll_up(database, zone=PARIS, now=NOW)
    assert (again.days, again.changes, again.rebuilt, again.steps) == (0, 0, False, 1)
    await assert_same(database)
    await assert_same(database, now=NOW + timedelta(hours=20))  # a day later, that day not summarised yet


@both_engines
async def test_the_leaderboards_and_pots_read_the_summary(database: Database) -> None:
    await seed(database, kudos=80, days=40)
    await roll_up(database, zone=PARIS, now=NOW)
    async with database.transaction() as session:
        await session.exec(update(KudosSummary).values(points=KudosSummary.points + 1000))
    async with database.sessions() as session:
        teams = await leaderboard_store.team_totals(session, start=None, end=NOW)
        pots, org, rounds = await pots_bravo(database, NOW)
    assert teams and all(team.points >= 1000 for team in teams)
    assert org >= 1000 and all(pots[row.id or 0] >= 1000 for row in rounds)


@both_engines
async def test_kudos_for_summarised_days_deletions_and_updates_count_at_once_and_after_the_next_roll_up(
    database: Database,
) -> None:
    people = await seed(database)
    await roll_up(database, zone=PARIS, now=NOW)
    same_team = [person for person in people if person.team_id == people[0].team_id]
    async with database.transaction() as session:
        await give(session, people[1], same_team[:2], NOW - timedelta(days=3), points=2, key=1001)  # summarised day
        await give(session, people[2], [people[-1]], NOW - timedelta(days=60), points=1, key=1002)  # no team
        await give(session, people[3], [people[4]], NOW - timedelta(minutes=5), points=3, key=1003)  # today
        pair = (
            select(KudosRecipient.kudos_id)
            .where(col(KudosRecipient.team_id).is_not(None))
            .group_by(col(KudosRecipient.kudos_id), col(KudosRecipient.team_id))
            .having(func.count() > 1)
        )
        shared = (await session.exec(pair)).first()
        assert shared is not None, "the seed has a kudos with two recipients in one team"
        one = (await session.exec(select(KudosRecipient).where(KudosRecipient.kudos_id == shared))).first()
        assert one is not None
        await session.exec(delete(KudosRecipient).where(col(KudosRecipient.id) == one.id))  # its team keeps the kudos
        whole = (await session.exec(select(KudosRecipient.kudos_id).order_by(col(KudosRecipient.id)).offset(7))).first()
        await session.exec(delete(KudosRecipient).where(col(KudosRecipient.kudos_id) == whole))
        moved = update(KudosRecipient).where(col(KudosRecipient.id) == 20)
        await session.exec(moved.values(points=KudosRecipient.points + 5, team_id=people[1].team_id))
        later = update(KudosRecipient).where(col(KudosRecipient.id) == 30).values(created_at=NOW - timedelta(hours=1))
        await session.exec(later)
    assert await count(database, KudosSummaryChange) > 0
    await assert_same(database)
    report = await roll_up(database, zone=PARIS, now=NOW)
    assert report.changes > 0 and report.days == 0
    assert await count(database, KudosSummaryChange) == 0
    await assert_same(database)


@both_engines
async def test_two_roll_ups_at_once_add_each_day_once(database: Database) -> None:
    await seed(database)
    replica = another(database)
    try:
        first, second = await asyncio.gather(
            roll_up(database, zone=PARIS, now=NOW), roll_up(replica, zone=PARIS, now=NOW)
        )
    finally:
        await replica.dispose()
    assert first.days + second.days == (NOW.astimezone(PARIS).date() - await oldest_day(database)).days
    assert first.rebuilt != second.rebuilt
    await assert_same(database)


@both_engines
@pytest.mark.parametrize("kudos_first", [False, True], ids=["roll-up first", "kudos first"])
async def test_a_kudos_written_while_its_day_is_rolled_up_is_counted_once(
    database: Database, kudos_first: bool
) -> None:
    people = await seed(database, kudos=120, days=5)
    replica = another(database)
    done = asyncio.Event()
    proceed = asyncio.Event()

    async def late_kudos() -> None:
        async with replica.transaction() as session:
            await give(session, people[0], [people[1]], NOW - timedelta(days=1), points=3, key=2001)
            done.set()
            await proceed.wait()

    async def rolled_up() -> None:
        async with database.transaction() as session:
            await roll_up_step(session, zone=PARIS, now=NOW)
            done.set()
            await proceed.wait()

    first, then = (late_kudos, rolled_up) if kudos_first else (rolled_up, late_kudos)
    try:
        holder = asyncio.create_task(first())
        await asyncio.wait_for(done.wait(), timeout=10)
        done.clear()
        waiter = asyncio.create_task(then())
        await asyncio.sleep(0.5)
        assert not done.is_set(), "the second transaction waits for the first"
        proceed.set()
        await asyncio.wait_for(asyncio.gather(holder, waiter), timeout=30)
    finally:
        await replica.dispose()
    await assert_same(database)
    await roll_up(database, zone=PARIS, now=NOW)
    await assert_same(database)


@both_engines
async def test_a_new_time_zone_rebuilds_the_summary(database: Database) -> None:
    await seed(database, kudos=150, days=100)
    await roll_up(database, zone=PARIS, now=NOW)
    report = await roll_up(database, zone=NEW_YORK, now=NOW)
    assert report.rebuilt and report.days >= 100
    async with database.sessions() as session:
        state = await summary_store.summary_state(session)
    assert state is not None and state.zone == "America/New_York"
    await assert_same(database, zone=NEW_YORK)
    await assert_same(database, zone=PARIS)  # Paris's periods do not start at New York's midnights: read plainly


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_truncating_the_kudos_empties_the_summary(database: Database) -> None:
    await seed(database, kudos=30, days=10)
    await roll_up(database, zone=PARIS, now=NOW)
    async with database.engine.begin() as connection:
        await connection.execute(text("TRUNCATE kudos_recipient"))
    assert await count(database, KudosSummary) == 0
    await assert_same(database)
