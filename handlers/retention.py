"""Retention of free text: kudos reasons and pulse comments are kept for a configured number of days, then removed.

`BRAVO_KUDOS_TEXT_RETENTION_DAYS` replaces the reason of older kudos with a marker in the workspace's language (the
kudos, its points and values stay, so totals and leaderboards do not move); `BRAVO_COMMENT_RETENTION_DAYS` deletes
the comments of pulses closed longer ago, with their anonymous replies (scores and participation stay). Copies of
that text in messages Bravo already delivered are emptied at the shorter of the two limits. 0 keeps text forever.
The scheduler applies this once a day; `bravo privacy retention --now` applies it at once. Running it again changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.i18n import Translator
from handlers.messages import text_card
from handlers.policy import Policy
from storage import retention as retention_store

RETENTION_JOB = "retention"
DONE = "done"


@dataclass(frozen=True)
class RetentionReport:
    """What one pass removed."""

    kudos_reasons: int = 0
    comments: int = 0
    replies: int = 0
    deliveries: int = 0

    def summary(self, t: Translator) -> str:
        return t(
            "Retention: {kudos} kudos reasons removed, {comments} comments and {replies} replies deleted, "
            "{deliveries} delivered messages emptied.",
            kudos=self.kudos_reasons,
            comments=self.comments,
            replies=self.replies,
            deliveries=self.deliveries,
        )


def retention_enabled(policy: Policy) -> bool:
    return bool(policy.kudos_text_retention_days or policy.comment_retention_days)


def removed_reason(t: Translator, days: int) -> str:
    """What a kudos says instead of its reason once the reason is removed."""
    return t.plural("(reason removed after {count} day)", "(reason removed after {count} days)", days)


async def apply_retention(session: AsyncSession, *, policy: Policy, now: datetime) -> RetentionReport:
    """Remove the free text older than the limits, in the caller's transaction."""
    t = Translator(policy.language)
    kudos_days, comment_days = policy.kudos_text_retention_days, policy.comment_retention_days
    reasons = comments = replies = deliveries = 0
    if kudos_days:
        marker = removed_reason(t, kudos_days)
        reasons = await retention_store.blank_kudos_reasons(
            session, before=now - timedelta(days=kudos_days), marker=marker
        )
    if comment_days:
        comments, replies = await retention_store.delete_comments(
            session, closed_before=now - timedelta(days=comment_days)
        )
    shortest = min(days for days in (kudos_days, comment_days) if days) if retention_enabled(policy) else 0
    if shortest:
        marker = t.plural("(content removed after {count} day)", "(content removed after {count} days)", shortest)
        emptied = text_card(marker).model_dump_json()
        deliveries = await retention_store.empty_delivered_payloads(
            session, before=now - timedelta(days=shortest), payload=emptied
        )
    return RetentionReport(kudos_reasons=reasons, comments=comments, replies=replies, deliveries=deliveries)
