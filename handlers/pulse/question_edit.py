"""An admin's changes to the question bank: add a question, stop asking one, list them all (`bravo pulse questions`).

Every reader and writer first stores the shipped questions that are missing, so a new release's questions show
and can be retired like the others.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.errors import RuleError, _
from handlers.pulse.bank_sync import AddReport, add_questions, ensure_bank
from handlers.pulse.questions import CHECKIN_DRIVER, SPEC_MESSAGES, QuestionSpec, spec_issue
from storage.models import PulseQuestion
from storage.pulse import rounds as pulse_store

UNKNOWN_KEY = "unknown_key"


class QuestionEditError(RuleError):
    """A question the rules refuse (see `questions.spec_issue`), or a key no question has."""

    messages = {**SPEC_MESSAGES, UNKNOWN_KEY: _("no question has the key {key}")}


async def add_question(session: AsyncSession, spec: QuestionSpec) -> AddReport:
    """Store one question (a known key updates it); raises `QuestionEditError` when the question breaks a rule."""
    issue = spec_issue(spec)
    if issue is not None:
        raise QuestionEditError(issue.code, **issue.values)
    return await add_questions(session, [spec])


async def retire_question(session: AsyncSession, *, key: str) -> PulseQuestion:
    """Stop asking a question (its results stay); raises `QuestionEditError` when no question has the key."""
    await ensure_bank(session)
    question = await pulse_store.question_by_key(session, key=key.strip().lower())
    if question is None or question.driver == CHECKIN_DRIVER:
        raise QuestionEditError(UNKNOWN_KEY, key=key)
    question.active = False
    await pulse_store.save_question(session, question)
    return question


async def question_bank(session: AsyncSession) -> Sequence[PulseQuestion]:
    """Every question, shipped and added, retired ones included (not the check-in's, which no pulse asks)."""
    await ensure_bank(session)
    return [item for item in await pulse_store.all_questions(session) if item.driver != CHECKIN_DRIVER]
