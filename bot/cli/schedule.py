"""`bravo digest send`, `bravo leaderboard post --now` (via `bot.cli.kudos`) and `bravo schedule …`.

Each posts through the same claims as the scheduler, so running a command by hand, twice, or on two machines at
once never sends a digest or a leaderboard twice in a period.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from bot.cli.use_case import refuse, request_from
from bot.console.render import render_card
from bot.console.sender import ConsoleSender
from bot.platforms import link_directory, outbox_worker, platform_senders
from bot.runtime import Runtime
from handlers.digest import MANAGER_DIGEST, ORG_DIGEST, TEAM_DIGEST
from handlers.i18n import Translator
from handlers.rewards import CELEBRATION, LEADERBOARD
from scheduler.runs import (
    DRY_RUN,
    ORGANISATION,
    TAKEN,
    Outcome,
    leaderboard_channels,
    post_leaderboard,
    send_digests,
    settle_claims,
)
from scheduler.schedule_edit import (
    UNKNOWN_TEAM,
    ScheduleChange,
    ScheduleEditError,
    edit_schedule,
    schedule_overview,
    spec_of,
)
from scheduler.sending import Sender
from storage import people as people_store
from storage import schedule as schedule_store
from storage.models.base import utcnow
from storage.models.schedule import CLAIMED, FAILED, QUEUED, SENT, SKIPPED

DIGEST_KINDS = {"manager": MANAGER_DIGEST, "team": TEAM_DIGEST, "org": ORG_DIGEST}
DRAIN_WAIT_SECONDS = 30.0
STATUS_DAYS = 14


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `bravo digest` and `bravo schedule`."""
    digest = subcommands.add_parser("digest", help="weekly manager, team and organisation digests")
    digest_actions = digest.add_subparsers(dest="digest_command", required=True, metavar="ACTION")
    send = digest_actions.add_parser("send", help="send the digests that are due (with --now: this period's)")
    send.add_argument("--now", action="store_true", help="send this period's digests that have not gone out yet")
    send.add_argument("--team", metavar="NAME", help="only this team's digests")
    send.add_argument("--kind", choices=sorted(DIGEST_KINDS), help="only this kind of digest (org: the admins')")
    send.add_argument("--dry-run", action="store_true", help="print the digests instead of sending them")
    send.set_defaults(func=_digest_send)

    schedule = subcommands.add_parser("schedule", help="when digests and leaderboards go out")
    actions = schedule.add_subparsers(dest="schedule_command", required=True, metavar="ACTION")
    actions.add_parser("show", help="every team's schedules").set_defaults(func=_schedule_show)
    change = actions.add_parser("set", help="a team's own schedules, time zone and channels")
    change.add_argument("--team", metavar="NAME", required=True, help="the team")
    change.add_argument("--manager-digest", metavar="SPEC", help="e.g. 'mon 09:00', 'off', or 'default'")
    change.add_argument("--team-digest", metavar="SPEC", help="e.g. 'fri 15:00', 'off', or 'default'")
    change.add_argument("--timezone", metavar="ZONE", help="time zone of the team digest (IANA name or 'default')")
    change.add_argument("--slack-channel", metavar="ID", help="Slack channel id of the team digest")
    change.add_argument("--teams-channel", metavar="ID", help="Teams channel conversation id of the team digest")
    change.set_defaults(func=_schedule_set)
    status = actions.add_parser("status", help="scheduled posts of the last two weeks and what became of them")
    status.set_defaults(func=_schedule_status)


def _senders(runtime: Runtime, names: dict[int, str], t: Translator) -> dict[str, Sender]:
    """The configured platforms' senders; the terminal when none is configured (the demo)."""
    return platform_senders(runtime) or {"console": ConsoleSender(sys.stdout, names, t)}


async def deliver(runtime: Runtime, t: Translator) -> int:
    """Deliver what was queued now, paced, waiting briefly for rate-limited retries."""
    async with runtime.database.sessions() as session:
        names = {person.id or 0: person.display_name for person in await people_store.all_people(session)}
    async with outbox_worker(runtime, _senders(runtime, names, t)) as worker:
        return await worker.drain_pending(within=DRAIN_WAIT_SECONDS)


def describe(t: Translator, outcome: Outcome) -> str:
    if outcome.kind == MANAGER_DIGEST:
        what = t("Manager digest for {name} ({period})", name=outcome.recipient, period=outcome.period)
    elif outcome.kind == ORG_DIGEST:
        what = t("Organisation digest for {name} ({period})", name=outcome.recipient, period=outcome.period)
    else:
        what = t("Team digest of {team} ({period})", team=outcome.recipient, period=outcome.period)
    if outcome.status == QUEUED:
        return what + ": " + t.plural("{count} message queued", "{count} messages queued", outcome.deliveries)
    if outcome.status == SKIPPED:
        return what + ": " + t("nothing to send")
    if outcome.status == TAKEN:
        return what + ": " + t("already sent by another run")
    return what


async def _digest_send(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    if args.team:
        async with runtime.database.sessions() as session:
            if await people_store.team_by_name(session, name=args.team) is None:
                sys.stderr.write(t("No team is called {name}.", name=args.team) + "\n")
                return 1
    await link_directory(runtime)
    outcomes = await send_digests(
        runtime.database,
        config=runtime.settings.scheduler_config(),
        policy=runtime.policy,
        now=utcnow(),
        force=args.now,
        team_name=args.team,
        dry_run=args.dry_run,
        kinds=frozenset({DIGEST_KINDS[args.kind]}) if args.kind else None,
    )
    if not outcomes:
        if args.now:
            sys.stdout.write(t("Nothing to send: this period's digests have already gone out.") + "\n")
        else:
            sys.stdout.write(t("No digest is due now. Use --now to send this period's digests.") + "\n")
        return 0
    for outcome in outcomes:
        if outcome.status == DRY_RUN:
            sys.stdout.write(f"\n[{describe(t, outcome)}]\n")
            sys.stdout.write((render_card(outcome.card) if outcome.card else t("(nothing to report)")) + "\n")
        else:
            sys.stdout.write(describe(t, outcome) + "\n")
    if not args.dry_run and any(outcome.status == QUEUED for outcome in outcomes):
        delivered = await deliver(runtime, t)
        sys.stdout.write(t.plural("{count} message delivered.", "{count} messages delivered.", delivered) + "\n")
        await settle_claims(runtime.database, now=utcnow())
    return 0


async def post_leaderboard_now(args: argparse.Namespace, runtime: Runtime) -> int:
    """`bravo leaderboard post [--now] [--dry-run]`: the collective reward leaderboard, once per period."""
    t = Translator(runtime.policy.language)
    config = runtime.settings.scheduler_config()
    dry_run = bool(getattr(args, "dry_run", False))
    outcome = await post_leaderboard(
        runtime.database,
        config=config,
        policy=runtime.policy,
        now=utcnow(),
        force=bool(getattr(args, "now", False)),
        dry_run=dry_run,
    )
    if outcome is None:
        if not leaderboard_channels(config):
            sys.stderr.write(t("No leaderboard channel: set BRAVO_LEADERBOARD_CHANNEL.") + "\n")
            return 1
        sys.stdout.write(t("The leaderboard is not due now. Use --now to post it.") + "\n")
        return 0
    if outcome.status == TAKEN and not dry_run:
        sys.stdout.write(t("The leaderboard of {period} has already been posted.", period=outcome.period) + "\n")
        return 0
    if dry_run:
        sys.stdout.write(render_card(outcome.card) + "\n" if outcome.card else "")
        return 0
    delivered = await deliver(runtime, t)
    await settle_claims(runtime.database, now=utcnow())
    channels = ", ".join(channel for _, channel in leaderboard_channels(config))
    posted = t("Leaderboard of {period} posted in {channels}.", period=outcome.period, channels=channels)
    sys.stdout.write(posted + "\n")
    sys.stdout.write(t.plural("{count} message delivered.", "{count} messages delivered.", delivered) + "\n")
    return 0


async def _schedule_show(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    async with runtime.database.sessions() as session:
        overview = await schedule_overview(
            session, config=runtime.settings.scheduler_config(), policy=runtime.policy, now=utcnow()
        )
    sys.stdout.write(t("Leaderboard: {spec} ({zone})", spec=overview.leaderboard, zone=overview.timezone) + "\n")
    org = spec_of(runtime.settings.scheduler_config().org_digest)
    sys.stdout.write(t("Organisation digest: {spec} (each admin's time zone)", spec=org) + "\n")
    for team in overview.teams:
        sys.stdout.write(
            t(
                "{team}: manager digest {manager} ({manager_zone}), team digest {team_digest} ({team_zone})",
                team=team.team,
                manager=team.manager_digest,
                manager_zone=team.manager_zone or "-",
                team_digest=team.team_digest,
                team_zone=team.team_zone or "-",
            )
            + "\n"
        )
    return 0


async def _schedule_set(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    try:
        async with runtime.database.transaction() as session:
            team = await edit_schedule(session, request_from(args, ScheduleChange), now=utcnow())
    except ScheduleEditError as error:
        return refuse(t, error, 1 if error.code == UNKNOWN_TEAM else 2)
    sys.stdout.write(t("Schedules of {team} updated.", team=team.name) + "\n")
    return 0


async def _schedule_status(args: argparse.Namespace, runtime: Runtime) -> int:
    """Recent scheduled posts as a table with a header, each for a team or a person named, not numbered."""
    t = Translator(runtime.policy.language)
    async with runtime.database.sessions() as session:
        claims = await schedule_store.recent_claims(session, since=utcnow() - timedelta(days=STATUS_DAYS))
        people = {str(person.id): person.display_name for person in await people_store.all_people(session)}
        teams = await people_store.all_teams(session)
        names = {
            MANAGER_DIGEST: people,
            ORG_DIGEST: people,
            TEAM_DIGEST: {str(team.id): team.name for team in teams},
            CELEBRATION: {f"team:{team.id}": team.name for team in teams},
        }
    if not claims:
        sys.stdout.write(t("No scheduled post in the last two weeks.") + "\n")
        return 0
    rows = [(t("claimed (UTC)"), t("post"), t("for"), t("period"), t("status"), t("messages"), t("by"))]
    for row in claims:
        target = names.get(row.kind, {}).get(row.target) or (
            t("everyone") if row.target == ORGANISATION else row.target
        )
        claimed = f"{row.claimed_at:%Y-%m-%d %H:%M}"
        status = _status(t, row.status)
        rows.append((claimed, _post_kind(t, row.kind), target, row.period, status, str(row.deliveries), row.owner))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for cells in rows:
        sys.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip())
        sys.stdout.write("\n")
    return 0


def _post_kind(t: Translator, kind: str) -> str:
    """What a scheduled post is, in the reader's language."""
    if kind == MANAGER_DIGEST:
        return t("manager digest")
    if kind == TEAM_DIGEST:
        return t("team digest")
    if kind == ORG_DIGEST:
        return t("organisation digest")
    if kind == LEADERBOARD:
        return t("leaderboard")
    if kind == CELEBRATION:
        return t("reward reached")
    return kind


def _status(t: Translator, status: str) -> str:
    """What became of a scheduled post, in the reader's language."""
    words = {
        CLAIMED: t("claimed"),
        QUEUED: t("queued"),
        SKIPPED: t("skipped"),
        SENT: t("sent"),
        FAILED: t("failed"),
    }
    return words.get(status, status)
