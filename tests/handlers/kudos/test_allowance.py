"""The daily allowance: one rule for what a giver has left, counted from midnight in their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from handlers.context import Context
from handlers.kudos.allowance import AllowanceLedger, points_left
from handlers.policy import Policy
from storage.models import Person

POLICY = Policy(daily_allowance=5)
JUST_AFTER_MIDNIGHT_IN_TOKYO = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)


def context(actor: Person, now: datetime) -> Context:
    session: Any = None  # the ledger's arithmetic reads no database
    return Context(session=session, actor=actor, policy=POLICY, now=now, platform="console")


def test_points_left_never_go_below_zero() -> None:
    assert points_left(5, 0) == 5
    assert points_left(5, 2) == 3
    assert points_left(5, 5) == 0
    assert points_left(5, 7) == 0


def test_the_ledger_counts_what_was_given_since_the_givers_midnight_and_what_the_batch_spends() -> None:
    ann = Person(id=1, display_name="Ann", timezone="Asia/Tokyo")
    ctx = context(ann, JUST_AFTER_MIDNIGHT_IN_TOKYO)
    yesterday_in_tokyo = datetime(2026, 11, 18, 14, 59, tzinfo=UTC)
    today_in_tokyo = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    ledger = AllowanceLedger(given={1: [(yesterday_in_tokyo, 3), (today_in_tokyo, 1)]})
    assert (ledger.used(ctx), ledger.left(ctx)) == (1, 4)
    ledger.spend(ctx, 4)
    assert (ledger.used(ctx), ledger.left(ctx)) == (5, 0)


def test_each_giver_has_their_own_allowance() -> None:
    ann = Person(id=1, display_name="Ann", timezone="Asia/Tokyo")
    ben = Person(id=2, display_name="Ben", timezone="Europe/London")
    ledger = AllowanceLedger(given={1: [(JUST_AFTER_MIDNIGHT_IN_TOKYO, 5)]})
    assert ledger.left(context(ann, JUST_AFTER_MIDNIGHT_IN_TOKYO)) == 0
    assert ledger.left(context(ben, JUST_AFTER_MIDNIGHT_IN_TOKYO)) == 5
