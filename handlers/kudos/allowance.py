"""The daily allowance: how many points a giver has left today, by one rule wherever it is asked.

A giver's day starts at midnight in their own time zone, and every recipient of every kudos they gave since then
counts. `AllowanceLedger` is the one way to know what a giver used (one query for a whole batch of givers, kept up
to date as the batch gives), and `points_left` the one piece of arithmetic on it: a single `/kudos`, a burst given
together, the confirmation and `/kudos me` therefore always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import Context, timezone_of
from handlers.policy import Policy
from storage.kudos import entries as kudos_store
from storage.models import Person


def local_midnight(now: datetime, person: Person | None, policy: Policy) -> datetime:
    """The start of today in the person's time zone, in UTC: when their allowance was last reset."""
    zone = timezone_of(person, policy)
    local = now.astimezone(zone)
    return datetime(local.year, local.month, local.day, tzinfo=zone).astimezone(UTC)


def points_left(allowance: int, used: int) -> int:
    """What is left of a day's allowance once `used` points are given (never below zero)."""
    return max(0, allowance - used)


@dataclass
class AllowanceLedger:
    """The points each giver gave since the start of their day, as (when, points); `spend` records new ones."""

    given: dict[int, list[tuple[datetime, int]]]

    @classmethod
    async def load(cls, session: AsyncSession, givers: Iterable[Context]) -> AllowanceLedger:
        """Everything the givers gave since their own midnight, in one query however many they are."""
        since: dict[int, datetime] = {}
        for ctx in givers:
            midnight = local_midnight(ctx.now, ctx.actor, ctx.policy)
            giver = ctx.actor.id or 0
            since[giver] = min(since.get(giver, midnight), midnight)
        return cls(given=await kudos_store.points_given(session, since=since))

    def used(self, ctx: Context) -> int:
        """Points the actor gave today, counting what this batch has given so far."""
        midnight = local_midnight(ctx.now, ctx.actor, ctx.policy)
        return sum(points for moment, points in self.given.get(ctx.actor.id or 0, ()) if moment >= midnight)

    def left(self, ctx: Context) -> int:
        return points_left(ctx.policy.daily_allowance, self.used(ctx))

    def spend(self, ctx: Context, points: int) -> None:
        self.given.setdefault(ctx.actor.id or 0, []).append((ctx.now.astimezone(UTC), points))


async def remaining_allowance(ctx: Context) -> int:
    """Points the actor can still give today."""
    return (await AllowanceLedger.load(ctx.session, [ctx])).left(ctx)


def over_allowance(ctx: Context, *, cost: int, left: int) -> str:
    """Why a kudos costing `cost` points cannot be given with `left` points left, in the giver's language."""
    t, allowance = ctx.t, ctx.policy.daily_allowance
    zone = timezone_of(ctx.actor, ctx.policy).key
    if left <= 0:
        return t(
            "You have used all {allowance} of your points for today. Your allowance resets at midnight ({timezone}).",
            allowance=allowance,
            timezone=zone,
        )
    needs = t.plural("This kudos needs {count} point", "This kudos needs {count} points", cost)
    has = t.plural("you have {count} point left today.", "you have {count} points left today.", left)
    return t("{needs}, but {has} Give fewer points or recognise fewer people.", needs=needs, has=has)
