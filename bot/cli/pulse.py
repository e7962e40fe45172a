"""`bravo pulse …`: send pulses now, read results, manage the question bank and each team's plan."""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli.pulse_admin import register_admin
from bot.cli.use_case import refuse
from bot.console.render import render_card
from bot.platforms import link_directory, outbox_worker, platform_senders
from bot.runtime import Runtime
from handlers.actions import announce_checkins, open_plans
from handlers.context import timezone_of
from handlers.i18n import Translator
from handlers.pulse import (
    MissingSecretKey,
    close_now,
    pulse_report,
    report_json,
    results_card,
    send_due_pulses,
    send_now,
)
from storage import people as people_store
from storage.models.base import utcnow
from storage.models.pulse import CHECKIN, PULSE

DELIVERY_WAIT_SECONDS = 30.0


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pulse = subcommands.add_parser("pulse", help="anonymous pulse checks: send, results, questions, plans")
    actions = pulse.add_subparsers(dest="pulse_command", required=True, metavar="ACTION")

    send = actions.add_parser("send", help="send the pulses that are due (with --now: start one for every team now)")
    send.add_argument("--now", action="store_true", help="start a pulse now for each team without an open one")
    send.add_argument("--team", metavar="NAME", help="only this team")
    send.set_defaults(func=_send)

    close = actions.add_parser("close", help="close open pulses now (their results become readable)")
    close.add_argument("--team", metavar="NAME", help="only this team")
    close.set_defaults(func=_close)

    results = actions.add_parser("results", help="results per team and for the organisation")
    results.add_argument("--json", action="store_true", help="machine-readable output")
    results.add_argument("--team", metavar="NAME", help="only this team")
    results.set_defaults(func=_results)

    register_admin(actions)


class UnknownTeam(Exception):
    """`--team` names no team."""


async def _team_ids(runtime: Runtime, name: str | None, t: Translator) -> list[int] | None:
    """None for every team, else the named team's id; an unknown name is reported on standard error."""
    if not name:
        return None
    async with runtime.database.sessions() as session:
        team = await people_store.team_by_name(session, name=name)
    if team is None:
        sys.stderr.write(t("no team is called {team}", team=name) + "\n")
        raise UnknownTeam(name)
    return [team.id or 0]


async def deliver(runtime: Runtime, t: Translator) -> None:
    """Deliver what was queued, through the platforms configured here."""
    senders = platform_senders(runtime)
    if not senders:
        sys.stdout.write(t("No chat platform is configured: the messages wait in the outbox for `bravo run`.") + "\n")
        return
    async with outbox_worker(runtime, senders) as worker:
        delivered = await worker.drain_pending(within=DELIVERY_WAIT_SECONDS)
    sys.stdout.write(t.plural("{count} message delivered.", "{count} messages delivered.", delivered) + "\n")


async def _send(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    try:
        team_ids = await _team_ids(runtime, args.team, t)
    except UnknownTeam:
        return 1
    await link_directory(runtime)
    now = utcnow()
    try:
        async with runtime.database.transaction() as session:
            if args.now:
                started = len(await send_now(session, policy=runtime.policy, now=now, team_ids=team_ids))
            else:
                started = await send_due_pulses(session, policy=runtime.policy, now=now)
    except MissingSecretKey as error:
        return refuse(t, error)
    sys.stdout.write(t.plural("{count} pulse started.", "{count} pulses started.", started) + "\n")
    await deliver(runtime, t)
    return 0


async def _close(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    try:
        team_ids = await _team_ids(runtime, args.team, t)
    except UnknownTeam:
        return 1
    now = utcnow()
    async with runtime.database.transaction() as session:
        closed = await close_now(session, now=now, team_ids=team_ids, kind=PULSE)
        checkins = await close_now(session, now=now, team_ids=team_ids, kind=CHECKIN)
    sys.stdout.write(t.plural("{count} pulse closed.", "{count} pulses closed.", closed) + "\n")
    if checkins:
        sys.stdout.write(t.plural("{count} check-in closed.", "{count} check-ins closed.", checkins) + "\n")
    async with runtime.database.transaction() as session:
        opened = await open_plans(session, policy=runtime.policy, now=now)
        told = await announce_checkins(session, policy=runtime.policy, now=now)
    if opened:
        sys.stdout.write(
            t.plural("{count} team action plan opened.", "{count} team action plans opened.", opened) + "\n"
        )
    if told:
        sys.stdout.write(t.plural("{count} check-in result posted.", "{count} check-in results posted.", told) + "\n")
    if opened or told:
        await deliver(runtime, t)
    return 0


async def _results(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language, timezone_of(None, runtime.policy))
    try:
        team_ids = await _team_ids(runtime, args.team, t)
    except UnknownTeam:
        return 1
    async with runtime.database.sessions() as session:
        report = await pulse_report(session, policy=runtime.policy, now=utcnow())
    if args.json:
        document = report_json(report, runtime.policy.language, team_ids=team_ids)
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return 0
    groups = report.with_rollups([group for group in report.teams if team_ids is None or group.team_id in team_ids])
    if team_ids is None:
        groups.append(report.organisation)
    sys.stdout.write(render_card(results_card(t, report, groups)) + "\n")
    return 0
