"""`make bench`: run every benchmark (or the ones named) and print figures with their baseline ratios."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bench import ingest
from bench.databases import fresh_database

ENGINES = ("sqlite", "postgresql")


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def run_ingest(engines: tuple[str, ...], requests: int) -> None:
    out(f"## Ingest: signed /kudos over loopback, concurrency {ingest.CONCURRENCY}, {requests} requests")
    out(
        "| engine | durable kudos/s | p50 ack ms | p99 ack ms | bare req/s | bare p50 ms | bare p99 ms "
        "| ratio (kudos/s ÷ bare req/s) | RSS idle MB | RSS loaded MB |"
    )
    out("|---|---|---|---|---|---|---|---|---|---|")
    for engine in engines:
        async with fresh_database(engine) as url:
            figures = await ingest.measure(engine, url, requests=requests)
        bravo, bare = figures.bravo, figures.bare
        out(
            f"| {engine} | {figures.durable_rate:.0f} | {bravo.percentile(0.5) * 1000:.1f} "
            f"| {bravo.percentile(0.99) * 1000:.1f} | {bare.rate:.0f} | {bare.percentile(0.5) * 1000:.1f} "
            f"| {bare.percentile(0.99) * 1000:.1f} | {figures.durable_rate / bare.rate:.2f} "
            f"| {figures.idle_mb:.0f} | {figures.loaded_mb:.0f} |"
        )
        if figures.durable != bravo.ok or bravo.errors:
            out(f"  ({engine}: {bravo.ok} answered 200, {figures.durable} durable, {bravo.errors} errors)")
    out()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("only", nargs="*", choices=["ingest", "fanout", "digests"], help="benchmarks to run")
    parser.add_argument("--engine", choices=ENGINES, action="append", help="database engine(s); default both")
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a first look")
    args = parser.parse_args()
    engines = tuple(args.engine or ENGINES)
    chosen = set(args.only or ["ingest", "fanout", "digests"])
    if "ingest" in chosen:
        asyncio.run(run_ingest(engines, 1_000 if args.quick else 5_000))


if __name__ == "__main__":
    main()
