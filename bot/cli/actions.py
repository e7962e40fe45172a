"""`bravo actions …`: the teams' action plans (what they proposed, voted and committed to), and admins' own
suggested actions per driver."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta

from bot.cli.pulse import deliver
from bot.cli.use_case import refuse
from bot.runtime import Runtime
from handlers.actions import (
    SuggestionError,
    action_drivers,
    actions_json,
    add_suggestion,
    announce_checkins,
    checkin_texts,
    close_checkins,
    decide_due,
    open_checkins,
    send_reminders,
)
from handlers.i18n import Translator
from scheduler.runs import process_owner
from storage import people as people_store
from storage.models.base import utcnow

MAX_AHEAD_DAYS = 366


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `bravo actions`."""
    actions = subcommands.add_parser("actions", help="team action plans: proposals, commitments, suggestions")
    commands = actions.add_subparsers(dest="actions_command", required=True, metavar="ACTION")

    listing = commands.add_parser("list", help="every proposed action with its team, owner, due date and status")
    listing.add_argument("--team", metavar="NAME", help="only this team")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=_list)

    tick = commands.add_parser(
        "tick",
        help="close the votes that ended, remind owners, and ask, close and announce check-ins now "
        "(the server does it every minute)",
    )
    tick.add_argument(
        "--ahead", type=int, default=0, metavar="DAYS", help="act as if DAYS days had passed (to try the demo)"
    )
    tick.set_defaults(func=_tick)

    suggestions = commands.add_parser("suggestions", help="suggested actions shown to teams, per driver")
    more = suggestions.add_subparsers(dest="suggestions_command", required=True, metavar="ACTION")
    add = more.add_parser("add", help="add your own suggested action for a driver")
    add.add_argument("--driver", required=True, help="one of: " + ", ".join(action_drivers()))
    add.add_argument("--language", default="en", help="en (default) or fr")
    add.add_argument("text", nargs="+", help="the suggested action, e.g. Keep Friday afternoons free of meetings")
    add.set_defaults(func=_add)


async def _list(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    async with runtime.database.sessions() as session:
        team_ids: list[int] | None = None
        if args.team:
            team = await people_store.team_by_name(session, name=args.team)
            if team is None:
                sys.stderr.write(t("no team is called {team}", team=args.team) + "\n")
                return 1
            team_ids = [team.id or 0]
        now = utcnow()
        rows = await actions_json(session, team_ids=team_ids, policy=runtime.policy, now=now)
        checkins = await checkin_texts(session, team_ids=team_ids, policy=runtime.policy, now=now, t=t)
    if args.json:
        sys.stdout.write(json.dumps({"actions": rows}, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not rows:
        sys.stdout.write(t("No team has proposed an action yet.") + "\n")
        return 0
    for row in rows:
        line = t(
            "#{id} {team}: {action} ({owner}, due {due}, {status}, {votes} votes)",
            **{key: row[key] for key in ("id", "team", "action", "owner", "due", "status", "votes")},
        )
        sys.stdout.write(" ".join(line.splitlines()) + "\n")
        for text in checkins.get(row["id"], []):
            sys.stdout.write("    " + text + "\n")
    return 0


async def _tick(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    if not 0 <= args.ahead <= MAX_AHEAD_DAYS:
        sys.stderr.write(t("--ahead is a number of days from 0 to {most}", most=MAX_AHEAD_DAYS) + "\n")
        return 1
    now = utcnow() + timedelta(days=args.ahead)
    async with runtime.database.transaction() as session:
        decided = await decide_due(session, policy=runtime.policy, now=now)
        reminded = await send_reminders(session, policy=runtime.policy, now=now, owner=process_owner())
    async with runtime.database.transaction() as session:
        asked = await open_checkins(session, policy=runtime.policy, now=now, owner=process_owner())
        await close_checkins(session, now=now)
    async with runtime.database.transaction() as session:
        told = await announce_checkins(session, policy=runtime.policy, now=now)
    sys.stdout.write(t.plural("{count} vote closed.", "{count} votes closed.", decided) + "\n")
    sys.stdout.write(t.plural("{count} owner reminded.", "{count} owners reminded.", reminded) + "\n")
    sys.stdout.write(t.plural("{count} check-in sent.", "{count} check-ins sent.", asked) + "\n")
    sys.stdout.write(t.plural("{count} check-in result posted.", "{count} check-in results posted.", told) + "\n")
    if decided or reminded or asked or told:
        await deliver(runtime, t)
    return 0


async def _add(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    try:
        async with runtime.database.transaction() as session:
            text = await add_suggestion(session, driver=args.driver, language=args.language, text=" ".join(args.text))
    except SuggestionError as error:
        return refuse(t, error)
    sys.stdout.write(
        t("Suggested action added for {driver}: {text}", driver=args.driver.strip().lower(), text=text) + "\n"
    )
    return 0
