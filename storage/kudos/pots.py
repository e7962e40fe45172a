"""Reward pots from the kudos summary: each team round's points since it started, and the organisation's.

A pot starts at any moment, not at a period's start, so it is read in three parts: the kudos from its start to the
first week (or, for the organisation, day) that begins after it, the summary's weeks or days from there to the
summary's boundary (with the journalled changes to them), and the kudos since. Every boundary is read inside the
statement that uses it, as in `storage.kudos.summary`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, ColumnElement, Date, Integer, String, and_, bindparam, case, literal, union_all
from sqlalchemy import select as core_select
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.kudos import periods
from storage.kudos.summary import TIMESTAMP, Query, boundary, instant, summary_state
from storage.models import KudosRecipient, KudosSummary, KudosSummaryChange, RewardRound
from storage.models.kudos_summary import ORG, TEAM
from storage.models.rewards import ACTIVE


async def team_pots(session: AsyncSession, *, rounds: Sequence[RewardRound], until: datetime) -> dict[int, int]:
    """Points each active team round has collected: kudos its members received since the round started.

    Each round reads its team's kudos up to the first Monday after its start, the team's weeks in the summary from
    that Monday on, and its kudos since the summary's boundary: a handful of index reads per round, whatever its age.
    """
    pots: dict[int, int] = {}
    started: dict[int, datetime] = {}  # each attribute read once: thousands of rounds, instrumented attributes
    for row in rounds:
        if row.status == ACTIVE and row.team_id is not None and (round_id := row.id) is not None:
            pots[round_id] = 0
            if (at := row.started_at) is not None:
                started[round_id] = at
    if not started:
        return pots
    state = await summary_state(session)
    mondays: list[date] = []
    if state is not None:
        zone = ZoneInfo(state.zone)
        first = periods.first_boundary(periods.WEEK, min(started.values()), zone)
        last = periods.first_boundary(periods.WEEK, min(state.summarised_until, until), zone)
        mondays = [first + timedelta(weeks=week) for week in range((last - first).days // 7 + 1)]
    chosen = _among(session, col(RewardRound.id), list(started))
    statement = _pots_statement(chosen, mondays, ZoneInfo(state.zone) if state else None, until)
    pots.update({int(round_id): int(points) for round_id, points in (await session.exec(statement)).all()})
    return pots


def _among(session: AsyncSession, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids` as one parameter (an array, or a JSON list on SQLite): thousands of ids cost no more to send
    than one, and the statement's text stays the same whatever their number."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        listed = func.unnest(bindparam("ids", ids, type_=ARRAY(Integer))).table_valued("value").render_derived()
    else:
        listed = func.json_each(bindparam("ids", json.dumps(ids), type_=String)).table_valued("value")
    among: ColumnElement[bool] = column.in_(core_select(listed.c.value))
    return among


def _pots_statement(chosen: ColumnElement[bool], mondays: list[date], zone: ZoneInfo | None, until: datetime) -> Query:
    """`(round id, points)` for each round: the four parts as correlated sums, each one index range per round."""
    recipient, change = KudosRecipient, KudosSummaryChange
    started = col(RewardRound.started_at)
    if zone is None or not mondays:
        monday_at: ColumnElement[Any] = literal(None, TIMESTAMP)
        monday_on: ColumnElement[Any] = literal(None, Date)
    else:
        # The first Monday (local midnight) at or after the round's start: the first of the weeks it can use.
        instants = [periods.local_midnight(day, zone) for day in mondays]
        monday_at = case(*((started <= instant(at), instant(at)) for at in instants))
        monday_on = case(
            *((started <= instant(at), literal(day, Date)) for at, day in zip(instants, mondays, strict=True))
        )
    rounds = (
        core_select(
            col(RewardRound.id).label("id"),
            col(RewardRound.team_id).label("team_id"),
            started.label("started_at"),
            monday_at.label("monday_at"),
            monday_on.label("monday_on"),
        )
        .where(chosen)
        .offset(0)  # keeps the subquery whole, so each round's Monday is worked out once, not in every part
        .subquery()
    )
    summarised = boundary()
    used = and_(rounds.c.monday_at.is_not(None), summarised > rounds.c.monday_at, summarised <= instant(until))

    def total(points: Any, *conditions: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.coalesce(select(func.sum(points)).where(*conditions).scalar_subquery(), 0)

    own = col(recipient.team_id) == rounds.c.team_id
    head = total(
        recipient.points,
        own,
        col(recipient.created_at) >= rounds.c.started_at,
        col(recipient.created_at) < case((used, rounds.c.monday_at), else_=instant(until)),
    )
    summary = total(
        KudosSummary.points,
        col(KudosSummary.kind) == periods.WEEK,
        col(KudosSummary.subject) == TEAM,
        col(KudosSummary.subject_id) == rounds.c.team_id,
        col(KudosSummary.starts_on) >= rounds.c.monday_on,
        used,
    )
    changes = total(
        change.points,
        col(change.team_id) == rounds.c.team_id,
        col(change.created_at) >= rounds.c.monday_at,
        col(change.created_at) < summarised,
        used,
    )
    tail = total(
        recipient.points, own, col(recipient.created_at) >= summarised, col(recipient.created_at) < instant(until), used
    )
    return select(rounds.c.id, head + summary + changes + tail)


async def _sum_by_key(session: AsyncSession, parts: Sequence[Query]) -> dict[int, int]:
    union = union_all(*parts).subquery()
    key, points = union.c
    rows = (await session.exec(select(key, func.sum(points)).group_by(key))).all()
    return {int(found): int(total or 0) for found, total in rows if found is not None}


async def org_points(session: AsyncSession, *, since: datetime, until: datetime) -> int:
    """Points the whole organisation received in `[since, until)`: the kudos of the first and last days, the
    summary's days between."""
    change = KudosSummaryChange
    state = await summary_state(session)
    if state is None:
        parts = [_org_live(instant(since), instant(until))]
    else:
        zone = ZoneInfo(state.zone)
        day = periods.first_boundary(periods.DAY, since, zone)
        day_starts = instant(periods.local_midnight(day, zone))
        summarised = boundary()
        used = and_(summarised > day_starts, summarised <= instant(until))
        parts = [
            _org_live(instant(since), case((used, day_starts), else_=instant(until))),
            select(literal(0), func.sum(KudosSummary.points)).where(
                KudosSummary.kind == periods.DAY,
                KudosSummary.subject == ORG,
                col(KudosSummary.starts_on) >= day,
                used,
            ),
            select(literal(0), func.sum(change.points)).where(
                col(change.created_at) >= day_starts, col(change.created_at) < summarised, used
            ),
            _org_live(summarised, instant(until)).where(used),
        ]
    return (await _sum_by_key(session, parts)).get(0, 0)


def _org_live(lower: ColumnElement[Any], upper: ColumnElement[Any]) -> Query:
    recipient = KudosRecipient
    return select(literal(0), func.sum(recipient.points)).where(
        col(recipient.created_at) >= lower, col(recipient.created_at) < upper
    )
