"""`bravo run`, `bravo migrate`, `bravo directory import`, `bravo status`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.cli.files import read_text_file
from bot.platforms import link_directory
from bot.runtime import Runtime
from handlers.directory import import_directory, parse_directory_csv
from handlers.i18n import Translator
from storage import inbox, outbox
from storage import schedule as schedule_store
from storage.migrate import current_revision, make_revision
from storage.models.delivery import HELD


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = subcommands.add_parser("run", help="start Bravo (console chat when no Slack or Teams is configured)")
    run.add_argument("--as", dest="as_person", metavar="NAME", help="console: chat as this person")
    run.add_argument("--console", action="store_true", help="open the console even when a platform is configured")
    run.set_defaults(func=_run)

    migrate = subcommands.add_parser("migrate", help="apply pending database migrations")
    migrate.add_argument("--make", metavar="MESSAGE", help="developers: autogenerate a migration from the models")
    migrate.set_defaults(func=_migrate, migrate=False)

    directory = subcommands.add_parser("directory", help="manage the company directory")
    directory_commands = directory.add_subparsers(dest="directory_command", required=True, metavar="ACTION")
    importer = directory_commands.add_parser("import", help="create or update people and teams from a CSV file")
    importer.add_argument("path", type=Path, help="CSV with header email,name,team,manager_email,timezone,language")
    importer.set_defaults(func=_import_directory)

    status = subcommands.add_parser("status", help="database, outbox, events inbox and scheduler health")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=_status)


async def _run(args: argparse.Namespace, runtime: Runtime) -> int:
    from bot.serve import serve_or_chat

    return await serve_or_chat(runtime, as_person=args.as_person, force_console=args.console)


async def _migrate(args: argparse.Namespace, runtime: Runtime) -> int:
    from storage.migrate import upgrade

    if args.make:
        await make_revision(runtime.database, args.make)
        return 0
    await upgrade(runtime.database)
    sys.stdout.write(f"database at revision {await current_revision(runtime.database)}\n")
    return 0


async def _import_directory(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    text = read_text_file(args.path, t)
    if text is None:
        return 1
    rows, errors = parse_directory_csv(text, t)
    async with runtime.database.transaction() as session:
        report = await import_directory(session, rows, t)
    report.errors[:0] = errors
    await link_directory(runtime)
    for error in sorted(report.errors, key=lambda item: item.line):
        sys.stderr.write(t("line {line}: {problem}", line=error.line, problem=error.message) + "\n")
    sys.stdout.write(report.summary(t) + "\n")
    imported = report.created + report.updated + report.unchanged
    return 1 if report.errors and not imported else 0


async def _status(args: argparse.Namespace, runtime: Runtime) -> int:
    """Outbox depth and failures, and the last run of each scheduled job, for operators and monitoring scripts."""
    async with runtime.database.sessions() as session:
        counts = await outbox.stats(session)
        failures = await outbox.recent_failures(session)
        held = await outbox.recent_failures(session, status=HELD)
        events = await inbox.stats(session)
        parked = await inbox.parked(session)
        claims = await schedule_store.latest_claims(session)
    revision = await current_revision(runtime.database)
    parked_rows = [{"id": row.id, "delivery": row.delivery_id, "error": row.last_error} for row in parked]
    recent = [{"id": row.id, "kind": row.kind, "platform": row.platform, "error": row.last_error} for row in failures]
    holding = [{"id": row.id, "kind": row.kind, "platform": row.platform, "error": row.last_error} for row in held]
    jobs = [
        {
            "job": row.kind,
            "target": row.target,
            "period": row.period,
            "status": row.status,
            "claimed_at": row.claimed_at.isoformat(),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            "detail": row.detail,
        }
        for row in claims
    ]
    if args.json:
        status = {
            "database": runtime.database.dialect,
            "revision": revision,
            "outbox": {"pending": counts.pending, "failed": counts.failed, "held": counts.held, "sent": counts.sent},
            "recent_failures": recent,
            "held": holding,
            "inbox": {"pending": events.pending, "parked": events.parked, "done": events.done},
            "parked_events": parked_rows,
            "last_job_runs": jobs,
        }
        sys.stdout.write(json.dumps(status, indent=2) + "\n")
        return 0
    sys.stdout.write(
        f"database {runtime.database.dialect} at {revision}\n"
        f"outbox: {counts.pending} pending, {counts.failed} failed, {counts.held} held, {counts.sent} sent\n"
    )
    for word, listed in (("failed", recent), ("held", holding)):
        for item in listed:
            sys.stdout.write(f"  {word} #{item['id']} {item['kind']} on {item['platform']}: {item['error']}\n")
    if counts.held:
        sys.stdout.write("  held messages go out again with the `outbox retry` command once the token is fixed\n")
    sys.stdout.write(f"inbox: {events.pending} pending, {events.parked} parked, {events.done} processed\n")
    for parked_row in parked_rows:
        sys.stdout.write(f"  parked #{parked_row['id']} {parked_row['delivery']}: {parked_row['error']}\n")
    sys.stdout.write("last job runs:\n" if jobs else "last job runs: none yet\n")
    for row in claims:
        detail = f" ({row.detail})" if row.detail else ""
        sys.stdout.write(
            f"  {row.kind:<15} {row.period:<10} {row.status:<8} at {row.claimed_at:%Y-%m-%d %H:%M}{detail}\n"
        )
    return 0
