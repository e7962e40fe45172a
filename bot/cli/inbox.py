"""`bravo inbox list` and `bravo inbox replay`: the stored events that failed too often, and queueing them again."""

from __future__ import annotations

import argparse
import sys

from bot.runtime import Runtime
from handlers.i18n import Translator
from storage import inbox
from storage.models.base import utcnow


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser("inbox", help="events stored before their acknowledgement: parked ones, replay")
    actions = parser.add_subparsers(dest="inbox_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the parked events, with their errors")
    listing.set_defaults(func=_list)
    replay = actions.add_parser("replay", help="queue parked events again (all of them, or those named by --id)")
    replay.add_argument("--id", dest="ids", type=int, action="append", default=[], metavar="N", help="one event's id")
    replay.set_defaults(func=_replay)


async def _list(_args: argparse.Namespace, runtime: Runtime) -> int:
    async with runtime.database.sessions() as session:
        rows = await inbox.parked(session, limit=100)
    for row in rows:
        sys.stdout.write(f"#{row.id} {row.delivery_id} after {row.attempts} attempts: {row.last_error}\n")
    if not rows:
        sys.stdout.write(Translator(runtime.policy.language)("No parked events.") + "\n")
    return 0


async def _replay(args: argparse.Namespace, runtime: Runtime) -> int:
    """Parked rows become due again; the running server's inbox worker processes them within seconds."""
    t = Translator(runtime.policy.language)
    async with runtime.database.transaction() as session:
        count = await inbox.replay(session, now=utcnow(), ids=args.ids)
    if args.ids and count < len(set(args.ids)):
        sys.stderr.write(t("Some of these ids are not parked events: {ids}", ids=", ".join(map(str, args.ids))) + "\n")
        return 1
    sys.stdout.write(t.plural("{count} event queued again", "{count} events queued again", count) + "\n")
    return 0
