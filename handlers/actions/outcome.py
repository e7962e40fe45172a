"""What a done action's check-in says, wherever it is shown: the team's post when it closes, `/pulse`, the App Home,
the manager digest's commitments and `bravo actions list`.

The answer comes from `handlers.pulse.checkin_results` (no number below the anonymity threshold, none while open);
the driver's trend is the one stored when the check-in closed, from scores the team had been shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.actions.numbers import score_text, signed_text
from handlers.i18n import Translator
from handlers.messages import Card, Line, Section
from handlers.policy import Policy
from handlers.pulse import CheckinResult, Measure, checkin_results, driver_name
from storage import actions as store
from storage.models import ActionCheckin, ActionProposal
from storage.models.actions import DONE

RESULT_KIND = "action_checkin_result"
# An action done longer ago than its check-in day plus this many days gets none (a long downtime, a first upgrade).
MISSED_AFTER_DAYS = 30
YES, SOMEWHAT, NO = 2, 1, 0


@dataclass(frozen=True)
class CheckinView:
    """A done action's check-in: due (`due`, not asked yet), not sent (nobody to ask), open or closed (`result`),
    with the driver's trend once it closed."""

    threshold: int
    due: datetime | None = None
    result: CheckinResult | None = None
    missed: bool = False
    driver: str = ""
    before: Measure | None = None
    after: Measure | None = None

    @property
    def status(self) -> str:
        if self.missed:
            return "missed"
        if self.due is not None:
            return "due"
        if self.result is None:
            return "not_sent"
        return "closed" if self.result.closed else "open"


def _measure(score: float | None, at: datetime | None) -> Measure | None:
    return Measure(at, score) if score is not None and at is not None else None


async def checkin_views(
    session: AsyncSession, proposals: Collection[ActionProposal], *, policy: Policy, now: datetime
) -> dict[int, CheckinView]:
    """The check-in of every done action among `proposals`, by action id."""
    done = [item for item in proposals if item.status == DONE and item.done_at is not None]
    rows = await store.checkins_of(session, proposal_ids=[item.id or 0 for item in done])
    rounds = [row.round_id for row in rows.values() if row.round_id is not None]
    results = await checkin_results(session, round_ids=rounds, threshold=policy.anonymity_threshold)
    views: dict[int, CheckinView] = {}
    for item in done:
        row = rows.get(item.id or 0)
        if row is None:
            due = (item.done_at or now) + timedelta(days=policy.action_checkin_days)
            missed = due + timedelta(days=MISSED_AFTER_DAYS) < now
            views[item.id or 0] = CheckinView(policy.anonymity_threshold, due=due, missed=missed)
            continue
        views[item.id or 0] = view_of(row, results.get(row.round_id or 0), policy.anonymity_threshold)
    return views


def view_of(row: ActionCheckin, result: CheckinResult | None, threshold: int) -> CheckinView:
    return CheckinView(
        threshold,
        result=result,
        driver=row.driver,
        before=_measure(row.before_score, row.before_at),
        after=_measure(row.after_score, row.after_at),
    )


def answer_text(t: Translator, view: CheckinView) -> str:
    """`Did it help? Yes: 4, somewhat: 1, no: 0 (5 answers).`, or why there is no number (yet)."""
    result = view.result
    if view.missed:
        return t("No check-in: Bravo was not running when it was due.")
    if view.due is not None:
        return t("Check-in on {day}: did it help?", day=t.day(view.due.date()))
    if result is None:
        return t("No check-in: nobody in the team could be asked.")
    if not result.closed:
        return t.plural(
            "Check-in open until {closes}: {count} of {invited} has answered so far.",
            "Check-in open until {closes}: {count} of {invited} have answered so far.",
            result.answered,
            closes=t.deadline(result.closes_at),
            invited=result.invited,
        )
    if result.hidden:
        return t(
            "Check-in: not enough answers to show (results appear with at least {threshold}).",
            threshold=view.threshold,
        )
    answers = t.plural("{count} answer", "{count} answers", result.responses or 0)
    return t(
        "Did it help? Yes: {yes}, somewhat: {somewhat}, no: {no} ({answers}).",
        yes=result.count(YES) or 0,
        somewhat=result.count(SOMEWHAT) or 0,
        no=result.count(NO) or 0,
        answers=answers,
    )


def trend_text(t: Translator, view: CheckinView) -> str:
    """The driver since the action started: its last score before, and its latest since (if measured again)."""
    if view.before is None or not view.driver:
        return ""
    driver, before = driver_name(t, view.driver), view.before
    if view.after is None:
        return t(
            "{driver}: {before} before the action ({day}); not measured again since.",
            driver=driver,
            before=score_text(t, before.score),
            day=t.day(before.at.date()),
        )
    return t(
        "{driver}: {before} before the action ({day}), {after} since ({later}): {change}.",
        driver=driver,
        before=score_text(t, before.score),
        day=t.day(before.at.date()),
        after=score_text(t, view.after.score),
        later=t.day(view.after.at.date()),
        change=signed_text(t, view.after.score - before.score),
    )


def outcome_lines(t: Translator, view: CheckinView) -> list[str]:
    """The answer, then the trend next to it once the check-in has closed."""
    closed = view.result is not None and view.result.closed
    trend = trend_text(t, view) if closed else ""
    return [answer_text(t, view), *([trend] if trend else [])]


def outcome_card(t: Translator, *, team: str, action: str, view: CheckinView) -> Card:
    """The team's post when its check-in closes: what it did, whether it helped, and its driver since."""
    title = t("{team}: did our action help?", team=team)
    sections = [Section(text=Line.of(action), quote=True)]
    sections.extend(Section(text=Line.of(line)) for line in outcome_lines(t, view))
    context = (Line.of(t("The check-in was anonymous: nobody can see who answered what.")),)
    return Card(title=title, sections=tuple(sections), context=context, summary=title)


def outcome_json(view: CheckinView) -> dict[str, Any]:
    """`bravo actions list --json`: the check-in's state, its answers when shown and the driver's trend."""
    result = view.result
    item: dict[str, Any] = {"status": view.status, "due": view.due.isoformat() if view.due else None}
    if result is not None:
        item.update(invited=result.invited, closes_at=result.closes_at.isoformat(), hidden=result.hidden)
        if result.closed and not result.hidden:
            item.update(yes=result.count(YES), somewhat=result.count(SOMEWHAT), no=result.count(NO))
            item["answers"] = result.responses
    if view.before is not None:
        after = view.after
        item["trend"] = {
            "driver": view.driver,
            "before": {"score": round(view.before.score, 2), "at": view.before.at.isoformat()},
            "latest": {"score": round(after.score, 2), "at": after.at.isoformat()} if after else None,
            "change": round(after.score - view.before.score, 2) if after else None,
        }
    return item
