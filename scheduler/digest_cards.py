"""The cards of a run's due digests: each time window's teams loaded once, the pulse report read once.

Kept apart from the claiming and queueing (`scheduler.runs`): what a digest says is decided here, where and how
often it goes out there.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.actions import commitment_sections, commitments_by_team
from handlers.context import translator_for_person
from handlers.digest import (
    MANAGER_DIGEST,
    ORG_DIGEST,
    DigestData,
    Window,
    digest_charts,
    load_digest_data,
    load_org_data,
    manager_digest_card,
    manager_pulse_sections,
    org_digest_card,
    team_digest_card,
    team_pulse_sections,
)
from handlers.i18n import Translator
from handlers.messages import Card
from handlers.policy import Policy
from handlers.pulse import GroupResult, PulseReport, pulse_report
from scheduler.digests import DueDigest
from storage.db import Database
from storage.models import Person, Team

log = logging.getLogger(__name__)


async def pulse_results(database: Database, policy: Policy, now: datetime) -> PulseReport | None:
    """The pulse results (already below-threshold suppressed); a failure there must not hold the digests back."""
    try:
        async with database.sessions() as session:
            return await pulse_report(session, policy=policy, now=now)
    except Exception:  # noqa: BLE001 - the digests go out without their pulse part
        log.exception("pulse results unavailable for the digests")
        return None


async def render_cards(
    session: AsyncSession, due: Sequence[DueDigest], policy: Policy, report: PulseReport | None
) -> list[tuple[DueDigest, Card | None]]:
    """Cards for every due digest, loading each time window's teams once."""
    by_window: dict[Window, dict[int, Team]] = defaultdict(dict)
    for item in due:
        if item.teams:
            by_window[item.window].update({team.id or 0: team for team in item.teams})
    data: dict[Window, DigestData] = {}
    for window, teams in by_window.items():
        data[window] = await load_digest_data(session, teams=list(teams.values()), window=window)
    cards: list[tuple[DueDigest, Card | None]] = []
    latest = max((item.window.until for item in due), default=None)
    commitments = await commitments_by_team(session, team_ids=None, now=latest, policy=policy) if latest else {}
    for item in due:
        if item.kind == ORG_DIGEST and item.manager is not None:
            cards.append((item, await _org_card(session, item, item.manager, policy, report)))
            continue
        batch = data[item.window]
        weeks = [batch.weeks[team.id or 0] for team in item.teams]
        if item.kind == MANAGER_DIGEST and item.manager is not None:
            t = translator_for_person(item.manager, policy)
            threshold = policy.anonymity_threshold
            pulse = {
                week.team.id or 0: [
                    *manager_pulse_sections(t, _group(report, week.team.id, rolled_up=True), threshold=threshold),
                    *commitment_sections(t, commitments.get(week.team.id or 0, []), team=week.team.name),
                ]
                for week in weeks
            }
            charts = digest_charts(t, ((_group(report, w.team.id, rolled_up=True), w.standing) for w in weeks))
            card = manager_digest_card(t, weeks=weeks, data=batch, pulse=pulse, zone=item.zone, charts=charts)
            cards.append((item, card))
        else:
            t = Translator(policy.language, item.zone)
            group = _group(report, weeks[0].team.id)
            sections = team_pulse_sections(t, group)
            charts = digest_charts(t, [(group, weeks[0].standing)])
            team_card = team_digest_card(t, week=weeks[0], data=batch, pulse=sections, zone=item.zone, charts=charts)
            cards.append((item, team_card))
    return cards


async def _org_card(
    session: AsyncSession, item: DueDigest, admin: Person, policy: Policy, report: PulseReport | None
) -> Card:
    """An admin's organisation digest; "this month" is the admin's calendar month, in their time zone."""
    t = translator_for_person(admin, policy)
    until = item.window.until
    local = until.astimezone(item.zone)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(until.tzinfo)
    data = await load_org_data(session, report=report, now=until, month_start=month_start, since=item.window.since)
    return org_digest_card(t, data=data, window=item.window, zone=item.zone)


def _group(report: PulseReport | None, team_id: int | None, *, rolled_up: bool = False) -> GroupResult | None:
    """A team's results; for its manager, its roll-up's when the team is too small to show alone."""
    if report is None or team_id is None:
        return None
    return report.shown_for(team_id) if rolled_up else report.team(team_id)
