"""Digests and leaderboards over a synthetic organisation at ¼, 1× and 4× of 20,000 people and 1,000,000 kudos.

Bravo's figures go through the code the scheduler and the commands run: `send_digests` (every manager digest and
every team digest of the week, cards built, nothing sent: the `bravo digest send --now --dry-run` path),
`post_leaderboard` (the collective reward leaderboard, dry run), `build_leaderboard` (`/kudos leaderboard`) and
`standings` (the collective leaderboard's query), after the kudos summary's roll-up has run once over the loaded
history (timed on its own, as the scheduler's job would run it on an existing database). The baseline answers the
same questions with one plain SQL aggregate per report, in the same run and on the same database, so the ratio shows
what Bravo's digests cost beyond the bare arithmetic.
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.databases import fresh_database
from bench.ingest import database_cpu
from bench.org import Scale, load_organisation
from handlers.kudos.leaderboard import PERIODS, Period, build_leaderboard, period_start
from handlers.policy import Policy
from handlers.rewards.pots import standings
from scheduler.config import SchedulerConfig
from scheduler.goals import OVERLAP
from scheduler.runs import post_leaderboard, send_digests
from storage import people as people_store
from storage import rewards as rewards_store
from storage.db import Database
from storage.kudos.rollup import roll_up

FACTORS = (0.25, 1.0, 4.0)
QUICK_FACTORS = (0.125, 0.25, 0.5)
# Sizes at which the real `--now` run (claims and outbox rows, committed `DIGEST_BATCH` digests at a time) is timed.
QUEUED_FACTORS = (0.5, 1.0)
DIGESTS_TARGET_SECONDS = 10.0
QUERY_TARGET_MS = 100.0
CONFIG = SchedulerConfig(platforms=("slack",), leaderboard_channels=(("slack", "C_LEADERBOARD"),))
POLICY = Policy()
POLICY_ZONE = ZoneInfo(POLICY.timezone)
# Teams whose pots the reward job's minute look reads after a busy minute.
BUSY_TEAMS = 50

WEEK_TOTALS = text(
    "SELECT team_id, count(DISTINCT kudos_id), count(DISTINCT recipient_id), sum(points) FROM kudos_recipient "
    "WHERE created_at >= :since AND created_at < :until GROUP BY team_id"
)
POTS = text(
    "SELECT r.id, sum(k.points) FROM reward_round r JOIN kudos_recipient k ON k.team_id = r.team_id "
    "AND k.created_at >= r.started_at AND k.created_at < :until WHERE r.status = 'active' GROUP BY r.id"
)
TEAM_LEADERS = text(
    "SELECT team_id, sum(points) AS points FROM kudos_recipient WHERE created_at >= :since AND created_at < :until "
    "GROUP BY team_id ORDER BY points DESC LIMIT 10"
)


@dataclass
class DigestFigures:
    engine: str
    factor: float
    scale: Scale
    load_seconds: float = 0.0
    cards: int = 0
    digests_seconds: float = 0.0
    leaderboard_seconds: float = 0.0
    digests_baseline: float = 0.0
    leaderboard_baseline: float = 0.0
    kudos_board_ms: dict[str, float] = field(default_factory=dict)
    kudos_board_baseline_ms: float = 0.0
    standings_ms: float = 0.0
    quiet_look_ms: float = 0.0
    busy_look_ms: float = 0.0
    rollup_seconds: float = 0.0
    queue_seconds: float | None = None
    # CPU seconds of this process (Bravo's side; PostgreSQL's own work is not in it) and the load average around each
    # run: on a shared machine, wall-clock seconds far above the CPU seconds mean waiting for a core.
    digests_cpu: float = 0.0
    queue_cpu: float = 0.0
    digests_database_cpu: float = 0.0
    queue_database_cpu: float = 0.0
    digests_load: float = 0.0
    queue_load: float = 0.0
    peak_mb: float = 0.0

    @property
    def total_seconds(self) -> float:
        return self.digests_seconds + self.leaderboard_seconds

    @property
    def baseline_seconds(self) -> float:
        return self.digests_baseline + self.leaderboard_baseline


async def timed(action: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def timed_with_cpu(action: Callable[[], Awaitable[Any]]) -> tuple[float, float, float, float]:
    """Wall-clock seconds, this process's CPU seconds, the local PostgreSQL server's CPU seconds (every client's: on a
    shared machine an upper bound) and the one-minute load average at the end."""
    started, cpu, server = time.perf_counter(), time.process_time(), database_cpu()
    await action()
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, used, database_cpu() - server, os.getloadavg()[0]


async def median(action: Callable[[], Awaitable[Any]], runs: int) -> float:
    return statistics.median([await timed(action) for _ in range(runs)])


def _sql(database: Database, statement: Any, **parameters: Any) -> Callable[[], Awaitable[Any]]:
    async def run() -> Any:
        async with database.engine.connect() as connection:
            return (await connection.execute(statement, parameters)).all()

    return run


def bench_moment() -> datetime:
    """The latest Friday 16:00 UTC, when the collective leaderboard is posted: every run sees the same shape of week
    (Monday to Friday afternoon for `/kudos leaderboard week`), whatever the day it runs."""
    now = datetime.now(UTC)
    friday = (now - timedelta(days=(now.weekday() - 4) % 7)).replace(hour=16, minute=0, second=0, microsecond=0)
    return friday if friday <= now else friday - timedelta(days=7)


def _bound(database: Database, moment: datetime) -> Any:
    """Timestamps as the application writes them: aware on PostgreSQL, naive UTC text on SQLite."""
    if database.dialect == "postgresql":
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


async def measure(engine: str, factor: float) -> DigestFigures:
    """Build the organisation at `factor` on a fresh database, then time Bravo's reports and the baselines."""
    scale = Scale.times(factor)
    figures = DigestFigures(engine=engine, factor=factor, scale=scale)
    now = bench_moment()
    async with fresh_database(engine) as url:
        database = Database(url)
        try:
            figures.load_seconds = await timed(lambda: load_organisation(database, scale, now=now))
            figures.rollup_seconds = await timed(lambda: roll_up(database, zone=POLICY_ZONE, now=now))
            # As `bot/serve.py` does once the server has started: what is alive now stays out of the collector's walks.
            gc.collect()
            gc.freeze()
            await _measure_bravo(database, figures, now)
            await _measure_baseline(database, figures, now)
            if factor in QUEUED_FACTORS:
                timing = await timed_with_cpu(
                    lambda: send_digests(database, config=CONFIG, policy=POLICY, now=now, force=True)
                )
                figures.queue_seconds, figures.queue_cpu, figures.queue_database_cpu, figures.queue_load = timing
        finally:
            gc.unfreeze()
            await database.dispose()
    figures.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


async def _measure_bravo(database: Database, figures: DigestFigures, now: datetime) -> None:
    async def digests() -> None:
        outcomes = await send_digests(database, config=CONFIG, policy=POLICY, now=now, force=True, dry_run=True)
        figures.cards = sum(1 for outcome in outcomes if outcome.card is not None)

    async def collective() -> None:
        await post_leaderboard(database, config=CONFIG, policy=POLICY, now=now, force=True, dry_run=True)

    # One team first, so that imports, catalogues and compiled statements are not counted in the full run.
    first_team = "Team 00001"
    await send_digests(database, config=CONFIG, policy=POLICY, now=now, force=True, dry_run=True, team_name=first_team)
    gc.collect()
    timing = await timed_with_cpu(digests)
    figures.digests_seconds, figures.digests_cpu, figures.digests_database_cpu, figures.digests_load = timing
    gc.collect()
    figures.leaderboard_seconds = await median(collective, 3)
    for period in PERIODS:
        runs = 5 if period == "week" else 3
        figures.kudos_board_ms[period] = await median(_kudos_board(database, period, now), runs) * 1000

    async def collective_query() -> None:
        async with database.sessions() as session:
            await standings(session, now=now)

    figures.standings_ms = await median(collective_query, 5) * 1000
    await _measure_goal_looks(database, figures, now)


async def _measure_goal_looks(database: Database, figures: DigestFigures, now: datetime) -> None:
    """The reward job's minute look (`scheduler.goals`), read side: which teams received kudos since the last
    look, then their pots and the organisation's. Quiet: nothing since; busy: kudos reached `BUSY_TEAMS` teams."""
    async with database.sessions() as session:
        busy = [team.id for team in (await people_store.all_teams(session))[:BUSY_TEAMS] if team.id is not None]

    async def look(since: datetime, team_ids: list[int]) -> None:
        async with database.sessions() as session:
            moved = await rewards_store.recipient_teams_since(session, since=since)
            if moved or team_ids:
                await standings(session, now=now, team_ids=team_ids)

    figures.quiet_look_ms = await median(lambda: look(now + OVERLAP, []), 5) * 1000
    figures.busy_look_ms = await median(lambda: look(now - 2 * OVERLAP, busy), 5) * 1000


def _kudos_board(database: Database, period: Period, now: datetime) -> Callable[[], Awaitable[Any]]:
    async def board() -> None:
        async with database.sessions() as session:
            await build_leaderboard(session, POLICY, period=period, now=now)

    return board


async def _measure_baseline(database: Database, figures: DigestFigures, now: datetime) -> None:
    since = _bound(database, now - timedelta(days=7))
    until = _bound(database, now + timedelta(microseconds=1))
    week = period_start("week", now, POLICY_ZONE)
    assert week is not None
    # One aggregate per report: the manager digests' figures and the team digests' (the same statement, twice).
    figures.digests_baseline = 2 * await median(_sql(database, WEEK_TOTALS, since=since, until=until), 3)
    figures.leaderboard_baseline = await median(_sql(database, POTS, until=until), 3)
    leaders = _sql(database, TEAM_LEADERS, since=_bound(database, week), until=until)
    figures.kudos_board_baseline_ms = await median(leaders, 5) * 1000


def report(all_figures: list[DigestFigures], out: Callable[[str], None]) -> None:
    """The tables `make bench` prints (and docs/benchmarks.md copies)."""
    out(
        "| engine | size | people / kudos / answers | load s | digests | digests s | leaderboard s "
        "| total s | baseline s | ratio | growth | target < 10 s at 1× | queued for real s |"
    )
    out("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    previous: dict[str, DigestFigures] = {}
    for item in all_figures:
        before = previous.get(item.engine)
        growth = ""
        if before is not None and before.total_seconds:
            growth = f"×{item.total_seconds / before.total_seconds:.2f} for ×{item.factor / before.factor:g} data"
        target = target_verdict(item.total_seconds) if item.factor == 1 else ""
        scale = item.scale
        out(
            f"| {item.engine} | {item.factor:g}× | {scale.people:,} / {scale.kudos:,} / {scale.pulse_answers:,} "
            f"| {item.load_seconds:.0f} | {item.cards:,} | {item.digests_seconds:.2f} | {item.leaderboard_seconds:.2f} "
            f"| {item.total_seconds:.2f} | {item.baseline_seconds:.3f} "
            f"| {item.total_seconds / item.baseline_seconds:.0f} | {growth} | {target} "
            f"| {'' if item.queue_seconds is None else f'{item.queue_seconds:.1f}'} |"
        )
        previous[item.engine] = item
    out("")
    periods = " | ".join(f"/kudos leaderboard {period} ms" for period in PERIODS)
    out(
        f"| engine | size | {periods} | baseline (week) ms | ratio (week) | collective standings ms "
        "| every query < 100 ms | summary roll-up s |"
    )
    out("|---|---|" + "---|" * len(PERIODS) + "---|---|---|---|---|")
    for item in all_figures:
        boards = " | ".join(f"{item.kudos_board_ms[period]:.0f}" for period in PERIODS)
        week = item.kudos_board_ms["week"]
        met = max(*item.kudos_board_ms.values(), item.standings_ms) < QUERY_TARGET_MS
        out(
            f"| {item.engine} | {item.factor:g}× | {boards} | {item.kudos_board_baseline_ms:.1f} "
            f"| {week / item.kudos_board_baseline_ms:.1f} | {item.standings_ms:.0f} | {'met' if met else 'MISSED'} "
            f"| {item.rollup_seconds:.1f} |"
        )
    out("")
    out(
        "| engine | size | reward goals: quiet minute look ms | look after kudos to "
        f"{BUSY_TEAMS} teams ms | look at every pot (start, hourly) ms |"
    )
    out("|---|---|---|---|---|")
    for item in all_figures:
        out(
            f"| {item.engine} | {item.factor:g}× | {item.quiet_look_ms:.1f} | {item.busy_look_ms:.1f} "
            f"| {item.standings_ms:.0f} |"
        )
    out("")
    peak = max((item.peak_mb for item in all_figures), default=0.0)
    out(f"(peak resident memory of the benchmark process: {peak:.0f} MB; load average {os.getloadavg()[0]:.1f})")


def target_verdict(seconds: float) -> str:
    return "met" if seconds < DIGESTS_TARGET_SECONDS else "MISSED"


def queued_report(all_figures: list[DigestFigures], out: Callable[[str], None]) -> None:
    """The real `bravo digest send --now` runs (claims and outbox rows committed) against the same run's dry run, with
    CPU seconds and load average, then one line per engine saying whether the issue's target is met at 1×."""
    queued = [item for item in all_figures if item.queue_seconds is not None]
    if not queued:
        return
    out(
        "| engine | size | digests | dry run s | dry run CPU s: Bravo / PostgreSQL | load average (dry) "
        "| queued for real s | queued for real CPU s: Bravo / PostgreSQL | load average (real) | real ÷ dry "
        "| target < 10 s at 1× |"
    )
    out("|---|---|---|---|---|---|---|---|---|---|---|")
    for item in queued:
        real = item.queue_seconds or 0.0
        target = target_verdict(real) if item.factor == 1 else ""
        out(
            f"| {item.engine} | {item.factor:g}× | {item.cards:,} | {item.digests_seconds:.2f} "
            f"| {item.digests_cpu:.2f} / {item.digests_database_cpu:.2f} | {item.digests_load:.1f} | {real:.2f} "
            f"| {item.queue_cpu:.2f} / {item.queue_database_cpu:.2f} | {item.queue_load:.1f} "
            f"| {real / item.digests_seconds:.2f} | {target} |"
        )
    out("")
    for item in (item for item in queued if item.factor == 1):
        real = item.queue_seconds or 0.0
        out(
            f"TARGET {target_verdict(real).upper()}: `bravo digest send --now` for {item.cards:,} digests at 1× on "
            f"{item.engine}: {real:.1f} s (< {DIGESTS_TARGET_SECONDS:g} s wanted; CPU s: Bravo {item.queue_cpu:.1f}, "
            f"PostgreSQL {item.queue_database_cpu:.1f}; load average {item.queue_load:.1f})"
        )
