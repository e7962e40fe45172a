"""Building and queueing scheduled posts, each inside its claim: digests, the leaderboard, and claim settling.

Content is read in bulk first (one batch per time window), then the posts are claimed and queued in batches, each
batch's claims and outbox rows committed together. Two processes may both read; only the one whose claim succeeds
queues, so nothing is sent twice, and a run that died between batches is completed by the next one.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.delivery import NewDelivery, channel_delivery, person_deliveries, queue
from handlers.messages import Card
from handlers.policy import Policy
from handlers.rewards import LEADERBOARD, queue_leaderboard
from scheduler.collector import collector_paused
from scheduler.config import SchedulerConfig
from scheduler.digest_cards import pulse_results, render_cards
from scheduler.digests import DueDigest, plan_digests
from scheduler.schedules import parse_schedule, zone_named
from storage import schedule as schedule_store
from storage.db import Database
from storage.models.schedule import FAILED, QUEUED, SENT, SKIPPED

TAKEN = "taken"
DRY_RUN = "dry-run"
ORGANISATION = "org"
SETTLE_LOOKBACK = timedelta(days=8)
# Digests claimed and queued per transaction: a run for thousands of teams commits a few times, not once per digest,
# and a crash between two batches leaves whole batches claimed (with their outbox rows) or not at all.
DIGEST_BATCH = 200
DEFAULT_LEADERBOARD = "fri 16:00"


def process_owner() -> str:
    """Who holds a claim, for operators reading `bravo schedule status`."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Outcome:
    """What happened to one scheduled post: queued, skipped (nothing to say), taken by another run, or a dry run."""

    kind: str
    target: str
    period: str
    status: str
    card: Card | None = None
    deliveries: int = 0
    recipient: str = ""


def _deliveries(item: DueDigest, card: Card, config: SchedulerConfig) -> list[NewDelivery]:
    """One digest's deliveries: the manager's on each configured platform they are known on, else the team's
    channels."""
    if item.manager is not None:
        return person_deliveries(
            person=item.manager, card=card, kind=item.kind, platforms=config.platforms, dedupe_key=item.key
        )
    return [
        channel_delivery(platform=platform, channel=channel, card=card, kind=item.kind, dedupe_key=item.key)
        for platform, channel in item.channels
    ]


async def send_digests(
    database: Database,
    *,
    config: SchedulerConfig,
    policy: Policy,
    now: datetime,
    force: bool = False,
    team_name: str | None = None,
    dry_run: bool = False,
    owner: str | None = None,
    kinds: frozenset[str] | None = None,
) -> list[Outcome]:
    """Claim and queue every digest (of `kinds`, default all) due at `now` (all of the current period's with `force`).

    The cards of a whole run stay alive until they are queued: the cyclic collector is paused meanwhile. Claims
    and their outbox rows are committed `DIGEST_BATCH` at a time.
    """
    with collector_paused():
        async with database.sessions() as session:
            # A dry run previews a digest already sent too.
            due = await plan_digests(
                session,
                config=config,
                policy=policy,
                now=now,
                force=force,
                team_name=team_name,
                include_claimed=dry_run,
                kinds=kinds,
            )
        if not due:
            return []
        report = await pulse_results(database, policy, now)
        async with database.sessions() as session:
            cards = await render_cards(session, due, policy, report)
        if dry_run:
            return [
                Outcome(item.kind, item.target, item.period, DRY_RUN, card, recipient=_recipient(item))
                for item, card in cards
            ]
        outcomes: list[Outcome] = []
        for start in range(0, len(cards), DIGEST_BATCH):
            async with database.transaction() as session:
                batch = await _claim_and_queue(
                    session, cards[start : start + DIGEST_BATCH], config, owner=owner or process_owner(), now=now
                )
            outcomes.extend(batch)  # only once committed: a batch that failed left no claim behind
        return outcomes


def _recipient(item: DueDigest) -> str:
    return item.manager.display_name if item.manager else item.teams[0].name


async def _claim_and_queue(
    session: AsyncSession,
    batch: Sequence[tuple[DueDigest, Card | None]],
    config: SchedulerConfig,
    *,
    owner: str,
    now: datetime,
) -> list[Outcome]:
    """Claim a batch of digests and queue their deliveries in the batch's transaction: one statement for the claims,
    one for the outbox rows; a digest another run claimed first is TAKEN and queues nothing."""
    deliveries = {item.key: _deliveries(item, card, config) if card is not None else [] for item, card in batch}
    posts = [_post(item, card, len(deliveries[item.key])) for item, card in batch]
    taken = await schedule_store.claim_many(session, posts=posts, owner=owner, now=now)
    pairs = list(zip(batch, posts, strict=True))
    await queue(session, [found for (item, _), post in pairs if post.key in taken for found in deliveries[item.key]])
    return [
        Outcome(item.kind, item.target, item.period, post.status, card, post.deliveries, _recipient(item))
        if post.key in taken
        else Outcome(item.kind, item.target, item.period, TAKEN, recipient=_recipient(item))
        for (item, card), post in pairs
    ]


def _post(item: DueDigest, card: Card | None, deliveries: int) -> schedule_store.Post:
    """What a digest's claim records: queued with its deliveries, or skipped and why."""
    detail = None if deliveries else ("nothing to report" if card is None else "no reachable destination")
    status = QUEUED if deliveries else SKIPPED
    return schedule_store.Post(item.kind, item.target, item.period, status, deliveries, detail)


def leaderboard_channels(config: SchedulerConfig) -> tuple[tuple[str, str], ...]:
    """The configured leaderboard channels; the console's own channel in the demo."""
    if config.leaderboard_channels:
        return config.leaderboard_channels
    return () if config.platforms else (("console", "leaderboard"),)


async def post_leaderboard(
    database: Database,
    *,
    config: SchedulerConfig,
    policy: Policy,
    now: datetime,
    force: bool = False,
    dry_run: bool = False,
    owner: str | None = None,
) -> Outcome | None:
    """Post the collective reward leaderboard once per period; None when it is not due (or has no channel)."""
    schedule = config.leaderboard or (parse_schedule(DEFAULT_LEADERBOARD) if force else None)
    if schedule is None:
        return None
    zone = zone_named(config.timezone, ZoneInfo("UTC"))
    fire = schedule.latest(now, zone)
    if not force and now - fire > config.grace:
        return None
    period = schedule.period(now if force else fire, zone)
    span = fire - schedule.previous(fire, zone)  # the goals reached since the previous leaderboard are shown
    since = (now if force else fire) - span
    channels = leaderboard_channels(config)
    key = {"kind": LEADERBOARD, "target": ORGANISATION, "period": period}
    dedupe = schedule_store.claim_key(LEADERBOARD, ORGANISATION, period)
    if dry_run:
        async with database.sessions() as session:
            claimed = await schedule_store.get_claim(session, **key)
            card, _ = await queue_leaderboard(
                session, policy=policy, channels=channels, dedupe_key=dedupe, now=now, since=since, dry_run=True
            )
        return Outcome(LEADERBOARD, ORGANISATION, period, TAKEN if claimed else DRY_RUN, card)
    if not channels:
        return None
    async with database.transaction() as session:
        holder = owner or process_owner()
        if not await schedule_store.claim(session, **key, owner=holder, now=now):
            return Outcome(LEADERBOARD, ORGANISATION, period, TAKEN)
        card, deliveries = await queue_leaderboard(
            session, policy=policy, channels=channels, dedupe_key=dedupe, now=now, since=since, owner=holder
        )
        await schedule_store.finish(session, **key, status=QUEUED, deliveries=deliveries, now=now)
    return Outcome(LEADERBOARD, ORGANISATION, period, QUEUED, card, deliveries)


async def settle_claims(database: Database, *, now: datetime) -> int:
    """Record what happened to queued posts once the outbox has delivered (or given up on) them."""
    async with database.transaction() as session:
        claims = await schedule_store.queued_claims(session, since=now - SETTLE_LOOKBACK)
        prefixes = [schedule_store.claim_key(row.kind, row.target, row.period) for row in claims]
        statuses = await schedule_store.delivery_statuses(session, prefixes=prefixes)
        settled = 0
        for row, prefix in zip(claims, prefixes, strict=True):
            found = statuses.get(prefix, [])
            if not found or "pending" in found or "held" in found:  # held: may still go out after `outbox retry`
                continue
            status = FAILED if "failed" in found else SENT
            await schedule_store.set_claim_status(session, claim_id=row.id or 0, status=status, now=now)
            settled += 1
    return settled
