"""`make bench`: run every benchmark (or the ones named) and print figures with their baseline ratios."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bench import charts, digests, events, fanout, fanout_teams, ingest
from bench.databases import fresh_database
from tests.databases import postgres_problem

ENGINES = ("sqlite", "postgresql")


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def progress(line: str) -> None:
    """Where a long benchmark is, on standard error: the tables on standard output stay whole."""
    sys.stderr.write(f"({line})\n")
    sys.stderr.flush()


async def run_ingest(engines: tuple[str, ...], requests: int, workers: tuple[int, ...]) -> None:
    out(f"## Ingest: signed /kudos over loopback, concurrency {ingest.CONCURRENCY}, {requests} requests")
    out(
        "| engine | server processes | durable kudos/s | p50 ack ms | p99 ack ms | bare req/s | bare p50 ms "
        "| bare p99 ms | ratio (kudos/s ÷ bare req/s) | CPU ms per kudos: Bravo / load generator / PostgreSQL "
        "| kudos/s if every core were busy | RSS idle MB | RSS loaded MB |"
    )
    out("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for engine, count in ((engine, count) for engine in engines for count in workers):
        async with fresh_database(engine) as url:
            figures = await ingest.measure(engine, url, requests=requests, workers=count)
        bravo, bare = figures.bravo, figures.bare
        out(
            f"| {engine} | {count} | {figures.durable_rate:.0f} | {bravo.percentile(0.5) * 1000:.1f} "
            f"| {bravo.percentile(0.99) * 1000:.1f} | {bare.rate:.0f} | {bare.percentile(0.5) * 1000:.1f} "
            f"| {bare.percentile(0.99) * 1000:.1f} | {figures.durable_rate / bare.rate:.2f} "
            f"| {figures.cpu_ms_per_kudos:.2f} / {figures.per_kudos_ms(figures.client_cpu_seconds):.2f} "
            f"/ {figures.per_kudos_ms(figures.database_cpu_seconds):.2f} | {figures.ceiling:.0f} "
            f"| {figures.idle_mb:.0f} | {figures.loaded_mb:.0f} |"
        )
        if figures.durable != bravo.ok or bravo.errors:
            out(f"  ({engine}: {bravo.ok} answered 200, {figures.durable} durable, {bravo.errors} errors)")
    out()


async def run_newcomers(engines: tuple[str, ...], requests: int, workers: tuple[int, ...]) -> None:
    out(
        f"## Newcomers: signed /kudos from {requests:,} people Bravo has never seen (one each), against the same run "
        f"from known people; concurrency {ingest.CONCURRENCY}"
    )
    out("| engine | server processes | givers | durable kudos/s | p50 ack ms | p99 ack ms | bare req/s | ratio |")
    out("|---|---|---|---|---|---|---|---|")
    for engine, count in ((engine, count) for engine in engines for count in workers):
        for label, newcomers in (("known", 0), ("never seen", requests)):
            async with fresh_database(engine) as url:
                figures = await ingest.measure(engine, url, requests=requests, workers=count, newcomers=newcomers)
            bravo = figures.bravo
            out(
                f"| {engine} | {count} | {label} | {figures.durable_rate:.0f} | {bravo.percentile(0.5) * 1000:.1f} "
                f"| {bravo.percentile(0.99) * 1000:.1f} | {figures.bare.rate:.0f} "
                f"| {figures.durable_rate / figures.bare.rate:.2f} |"
            )
            if figures.durable != bravo.ok or bravo.errors:
                out(f"  ({engine}: {bravo.ok} answered 200, {figures.durable} durable, {bravo.errors} errors)")
    out()


async def run_events(engines: tuple[str, ...], requests: int) -> None:
    out(
        f"## Events: {requests:,} signed deliveries (:clap: reactions and emoji messages from {events.PEOPLE:,} known "
        f"people), concurrency {ingest.CONCURRENCY}, one process; baseline = the bare signature-checking handler"
    )
    out(
        "| engine | server processes | acks/s | p50 ack ms | p99 ack ms | kudos counted | counted s after last ack "
        "| Bravo CPU ms per delivery | PostgreSQL CPU ms per delivery | bare req/s | bare p99 ms "
        "| ratio (acks/s ÷ bare req/s) | targets |"
    )
    out("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for engine in engines:
        async with fresh_database(engine) as url:
            events.report(await events.measure(engine, url, requests=requests), out)
    out()


async def run_fanout(engines: tuple[str, ...], quick: bool, platforms: tuple[str, ...]) -> None:
    people = fanout.QUICK_PEOPLE if quick else fanout.PEOPLE
    rates = (fanout.QUICK_RATES if quick else fanout.WORKSPACE_RATES) if "slack" in platforms else ()
    burst = f"burst: {fanout.BURST:g} messages or {fanout.JITTER_SECONDS * 1000:g} ms of the limit, whichever is more"
    out(
        f"## Fan-out: one pulse to {people:,} people, default settings; Slack limits {fanout.PER_CHANNEL_RATE:g} msg/s "
        f"per channel and {', '.join(f'{rate:g}' for rate in rates) or 'none'} msg/s per workspace; Teams limits "
        f"{fanout_teams.PER_CONVERSATION_RATE:g} msg/s per conversation and {fanout_teams.PER_TENANT_RATE:g} per "
        f"tenant ({burst}); baseline = the enforced limit"
    )
    figures = []
    for engine in engines:
        for rate in rates:
            figures.append(await fanout.measure(engine, people=people, rate=rate))
            progress(f"fan-out {engine} slack at {rate:g}/s: {figures[-1].rate:.1f} msg/s")
        if "teams" in platforms:
            figures.append(await fanout_teams.measure_teams(engine, people=people))
            progress(f"fan-out {engine} teams at {fanout_teams.PER_TENANT_RATE:g}/s: {figures[-1].rate:.1f} msg/s")
    fanout.report(figures, out)
    out()
    if "slack" not in platforms:
        return
    out(f"Ceiling without any limit ({fanout.CEILING_PEOPLE:,} people, the fake accepting everything):")
    out()
    fanout.report([await fanout.measure_ceiling(engine) for engine in engines], out)
    out()


async def run_digests(engines: tuple[str, ...], quick: bool, only: tuple[float, ...] = ()) -> None:
    factors = only or (digests.QUICK_FACTORS if quick else digests.FACTORS)
    out(
        "## Digests and leaderboards: every manager and team digest of the week and the collective leaderboard "
        f"(dry run), at {', '.join(f'{factor:g}×' for factor in factors)} of 20,000 people / 1,000,000 kudos; "
        "baseline = one plain SQL aggregate per report"
    )
    figures = []
    for engine in engines:
        for factor in factors:
            figures.append(await digests.measure(engine, factor))
            progress(
                f"digests {engine} {factor:g}×: loaded in {figures[-1].load_seconds:.0f} s, "
                f"digests and leaderboard in {figures[-1].total_seconds:.1f} s"
            )
    digests.report(figures, out)
    out()
    digests.queued_report(figures, out)
    out()


def available(engines: tuple[str, ...], asked: bool) -> tuple[str, ...]:
    """The engines that can run: without a PostgreSQL server, SQLite alone (and why), unless PostgreSQL was asked."""
    if "postgresql" not in engines:
        return engines
    problem = asyncio.run(postgres_problem())
    if problem is None:
        return engines
    if asked:
        raise SystemExit(f"bench: {problem}")
    out(f"(PostgreSQL skipped: {problem}. Set BRAVO_TEST_POSTGRES_URL to a server to measure it too.)")
    out()
    return tuple(engine for engine in engines if engine != "postgresql")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    benchmarks = ["ingest", "newcomers", "events", "fanout", "digests", "charts"]
    # No `choices=` here: argparse checks an empty list against them and refuses a bare `python -m bench`.
    parser.add_argument(
        "only", nargs="*", metavar="{" + ",".join(benchmarks) + "}", help="benchmarks to run; default all"
    )
    parser.add_argument("--engine", choices=ENGINES, action="append", help="database engine(s); default both")
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a first look")
    parser.add_argument(
        "--workers", type=int, action="append", help="ingest: server processes (BRAVO_WORKERS); default 1 and 2"
    )
    parser.add_argument(
        "--platform", choices=("slack", "teams"), action="append", help="fanout: platform(s) to run; default both"
    )
    parser.add_argument("--factor", type=float, action="append", help="digests: sizes to run (1 = 1×); default all")
    args = parser.parse_args()
    engines = available(tuple(args.engine or ENGINES), asked=bool(args.engine))
    unknown = sorted(set(args.only) - set(benchmarks))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}: choose from {', '.join(benchmarks)}")
    chosen = set(args.only or benchmarks)
    if "ingest" in chosen:
        asyncio.run(run_ingest(engines, 1_000 if args.quick else 5_000, tuple(args.workers or (1, 2))))
    if "newcomers" in chosen:
        asyncio.run(run_newcomers(engines, 1_000 if args.quick else 3_000, tuple(args.workers or (1, 2))))
    if "events" in chosen:
        asyncio.run(run_events(engines, 2_000 if args.quick else 10_000))
    if "fanout" in chosen:
        asyncio.run(run_fanout(engines, args.quick, tuple(args.platform or ("slack", "teams"))))
    if "digests" in chosen:
        asyncio.run(run_digests(engines, args.quick, tuple(args.factor or ())))
    if "charts" in chosen:
        out(f"## Charts: each digest chart drawn as a sender draws it, median of {charts.RUNS} runs")
        charts.report(charts.measure(), out)
        out()


if __name__ == "__main__":
    main()
