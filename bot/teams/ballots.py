"""Pulse taps on Teams, run without writing anything about the person tapping.

A tap on a pulse button (or the anonymous comment form) leaves no trace that names the person: no idempotency key (a
replayed tap is harmless, the answer's version refuses it), no refreshed conversation reference, no person row
updated. The person is only looked up; someone Bravo does not know yet goes through the ordinary turn, where their
tap cannot count anyway (no ballot was ever made for them).
"""

from __future__ import annotations

from botbuilder.schema import Activity

from bot.teams.activities import PERSONAL, Submission, conversation_scope
from bot.teams.turns import TEAMS_CAN
from handlers.context import Context
from handlers.messages import Reply, reply
from handlers.policy import Policy
from handlers.pulse import BALLOT_ACTIONS, COMMENT_FORM
from handlers.routing import run_action, submit_form
from storage import people as people_store
from storage.db import Database
from storage.models.base import utcnow


def is_ballot(submission: Submission) -> bool:
    """A pulse button or the pulse comment form."""
    return submission.action in BALLOT_ACTIONS or submission.form == COMMENT_FORM


async def ballot_turn(
    database: Database, policy: Policy, activity: Activity, account_id: str, submission: Submission
) -> Reply | None:
    """The tap's reply, the person only read; None when Bravo does not know them (the ordinary turn takes it)."""
    async with database.transaction() as session:
        person = await people_store.person_by_teams_id(session, teams_id=account_id)
        if person is None:
            return None
        ctx = Context(
            session=session,
            actor=person,
            policy=policy,
            now=utcnow(),
            platform="teams",
            locale=activity.locale,
            capabilities=TEAMS_CAN,
        )
        if conversation_scope(activity) != PERSONAL:
            return reply(ctx.t("Answer your pulse check in your private chat with Bravo."))
        if submission.form:
            return await submit_form(ctx, submission.form, dict(submission.inputs), submission.metadata)
        return await run_action(ctx, submission.action, submission.value)
