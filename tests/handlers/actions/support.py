"""Helpers for the action plan tests: a pulse answered and closed, the posts a team got, and taps as a person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import col, select

from handlers.actions import open_plans
from handlers.messages import Card, Reply
from handlers.policy import Policy
from handlers.pulse import close_now, send_now
from handlers.routing import run_action, run_command, submit_form
from storage import people as people_store
from storage.db import Database
from storage.models import OutboxMessage, Person, PulseQuestion, PulseRoundQuestion
from tests.handlers.pulse.test_support import answer_question, context, seed_org

PLAN_KIND = "action_plan"


async def closed_pulse(
    database: Database,
    policy: Policy,
    now: datetime,
    *,
    teams: Mapping[str, int],
    answers: Mapping[str, int] | None = None,
    close: bool = True,
) -> dict[str, list[Person]]:
    """Teams of the given sizes asked a pulse; every member answers each question (`answers`: the value for a
    driver, else 4 on agree/emoji scales, 1 for yes/no and 8 for eNPS); the pulse is closed unless `close` is False."""
    async with database.transaction() as session:
        members = await seed_org(session, dict(teams))
        await send_now(session, policy=policy, now=now)
        statement = (
            select(PulseQuestion)
            .join(PulseRoundQuestion, col(PulseRoundQuestion.question_id) == col(PulseQuestion.id))
            .distinct()
        )
        questions = list((await session.exec(statement)).all())
    defaults = {"agree5": 4, "emoji5": 4, "yesno": 1, "scale10": 8}
    for question in questions:
        value = (answers or {}).get(question.driver, defaults[question.scale])
        for people in members.values():
            await answer_question(database, people, question.key or "", [value] * len(people), policy, now)
    if close:
        async with database.transaction() as session:
            await close_now(session, now=now)
    return members


async def open_plans_now(database: Database, policy: Policy, now: datetime) -> int:
    async with database.transaction() as session:
        return await open_plans(session, policy=policy, now=now)


async def posts(database: Database, *, kind: str = PLAN_KIND) -> list[OutboxMessage]:
    async with database.sessions() as session:
        statement = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(col(OutboxMessage.id))
        return list((await session.exec(statement)).all())


def card_of(row: OutboxMessage) -> Card:
    return Card.model_validate_json(row.payload)


async def as_person(
    database: Database, person: Person, policy: Policy, now: datetime, step: str, *args: object
) -> Reply:
    """Run `action` (a button), `form` (a submission) or `command` as `person`, in its own transaction."""
    async with database.transaction() as session:
        actor = await people_store.get_person(session, person_id=person.id or 0)
        assert actor is not None
        ctx = context(session, actor, policy, now)
        if step == "action":
            return await run_action(ctx, str(args[0]), str(args[1]))
        if step == "form":
            values: Mapping[str, tuple[str, ...]] = args[1]  # type: ignore[assignment]
            return await submit_form(ctx, str(args[0]), values, str(args[2]))
        return await run_command(ctx, str(args[0]), str(args[1]))


def choice_values(card: Card, action: str) -> Sequence[str]:
    return [choice.value for choice in card.choices if choice.action == action]
