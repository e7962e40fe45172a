"""Keeping the stored question bank in step with the shipped one, and adding an admin's own questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.pulse.questions import QuestionSpec, builtin_bank
from storage.models import PulseQuestion
from storage.pulse import rounds as pulse_store
from storage.upsert import insert_ignore


async def ensure_bank(session: AsyncSession) -> None:
    """Store the shipped questions that are missing (a new release may ship more); existing rows are left alone."""
    specs = builtin_bank()
    if await pulse_store.count_questions(session) >= len(specs):
        known = {question.key for question in await pulse_store.all_questions(session)}
        specs = [spec for spec in specs if spec.key not in known]
    for spec in specs:
        values = {
            "key": spec.key,
            "driver": spec.driver,
            "scale": spec.scale,
            "text_en": spec.text_en,
            "text_fr": spec.text_fr,
            "builtin": True,
            "active": True,
        }
        await insert_ignore(session, PulseQuestion, values)


@dataclass
class AddReport:
    added: int = 0
    updated: int = 0


async def add_questions(session: AsyncSession, specs: Sequence[QuestionSpec]) -> AddReport:
    """Store an admin's questions; a spec whose key exists updates that question, so importing a file twice is safe."""
    await ensure_bank(session)
    report = AddReport()
    for spec in specs:
        existing = await pulse_store.question_by_key(session, key=spec.key) if spec.key else None
        if existing is not None:
            existing.driver, existing.scale = spec.driver, spec.scale
            existing.text_en, existing.text_fr, existing.active = spec.text_en, spec.text_fr, True
            await pulse_store.save_question(session, existing)
            report.updated += 1
            continue
        key = spec.key or await _free_key(session, spec.driver)
        question = PulseQuestion(
            key=key, driver=spec.driver, scale=spec.scale, text_en=spec.text_en, text_fr=spec.text_fr, builtin=False
        )
        await pulse_store.save_question(session, question)
        report.added += 1
    return report


async def _free_key(session: AsyncSession, driver: str) -> str:
    number = 1
    while await pulse_store.question_by_key(session, key=f"custom-{driver}-{number}"):
        number += 1
    return f"custom-{driver}-{number}"
