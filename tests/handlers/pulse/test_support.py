"""Helpers for the pulse tests: a small organisation, contexts, and the buttons people actually received."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import Context
from handlers.directory import DirectoryRow, import_directory
from handlers.i18n import Translator
from handlers.messages import Card, Reply
from handlers.policy import Policy
from handlers.pulse.cards import ANSWER_ACTION, QUESTION_KIND, REMINDER_KIND, SHOW_ACTION, with_ballots
from handlers.pulse.tokens import parse_answer, parse_ballot
from handlers.routing import run_action, run_command
from storage import people as people_store
from storage.db import Database
from storage.models import OutboxMessage, Person, PulseQuestion
from tests.conftest import TEST_SECRET_KEY

BOSS = "boss@acme.test"


async def seed_org(
    session: AsyncSession,
    teams: dict[str, int],
    *,
    french: frozenset[str] = frozenset(),
    zones: dict[str, str] | None = None,
) -> dict[str, list[Person]]:
    """Teams of the given sizes, all reporting to one boss outside the teams (so the boss manages each team)."""
    rows = [DirectoryRow(line=2, email=BOSS, name="Boss", team="", manager_email="", timezone="", language="")]
    for team, size in teams.items():
        for index in range(1, size + 1):
            email = f"{team.lower()}{index}@acme.test"
            rows.append(
                DirectoryRow(
                    line=len(rows) + 2,
                    email=email,
                    name=f"{team} {index}",
                    team=team,
                    manager_email=BOSS,
                    timezone=(zones or {}).get(email, ""),
                    language="fr" if email in french else "",
                )
            )
    await import_directory(session, rows, Translator("en"))
    members: dict[str, list[Person]] = {}
    for team in teams:
        found = await people_store.team_by_name(session, name=team)
        assert found is not None
        members[team] = await people_store.team_members(session, team_id=found.id or 0)
        members[team].sort(key=lambda person: int(person.display_name.rsplit(" ", 1)[1]))
    return members


def context(session: AsyncSession, person: Person, policy: Policy, now: datetime) -> Context:
    return Context(session=session, actor=person, policy=policy, now=now, platform="console")


async def delivered_cards(
    session: AsyncSession,
    person: Person,
    *,
    kinds: tuple[str, ...] = (QUESTION_KIND, REMINDER_KIND),
    secret: str = TEST_SECRET_KEY,
) -> list[Card]:
    """The pulse cards queued for a person, oldest first, as they are sent: with the person's ballot tokens."""
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.person_id == person.id, col(OutboxMessage.kind).in_(kinds))
        .order_by(col(OutboxMessage.id))
    )
    return [
        with_ballots(Card.model_validate_json(row.payload), person_id=person.id or 0, secret=secret)
        for row in (await session.exec(statement)).all()
    ]


def answer_button(card: Card, value: int) -> str:
    """The value of the card's button for answer `value`."""
    for choice in card.choices:
        parsed = parse_answer(choice.value) if choice.action == ANSWER_ACTION else None
        if parsed and parsed[1] == value:
            return choice.value
    raise AssertionError(f"no button for {value} on {card.plain()}")


def choice_value(card: Card, action: str) -> str:
    for choice in card.choices:
        if choice.action == action:
            return choice.value
    raise AssertionError(f"no {action} button on {card.plain()}")


def next_value(card: Card) -> str:
    """The "Next question" button's value (navigation buttons point backwards and forwards)."""
    refs = [parse_ballot(choice.value) for choice in card.choices if choice.action == SHOW_ACTION]
    forward = max((ref for ref in refs if ref), key=lambda ref: ref.position, default=None)
    assert forward is not None, f"no next question on {card.plain()}"
    return forward.ref()


async def shows(session: AsyncSession, card: Card, key: str) -> bool:
    question = (await session.exec(select(PulseQuestion).where(PulseQuestion.key == key))).one()
    texts = {section.text.plain() for section in card.sections if section.text}
    return bool(texts & {question.text_en, question.text_fr})


async def question_card_for(database: Database, person: Person, key: str, policy: Policy, now: datetime) -> Card:
    """The person's pulse message (or, once it was used, what `/pulse` shows them), moved on with "Next question"
    until it shows question `key`."""
    async with database.sessions() as session:
        cards = await delivered_cards(session, person, kinds=(QUESTION_KIND,), secret=policy.secret_key)
    card = cards[-1] if cards else None
    if card is None or not card.choices:
        async with database.transaction() as session:
            actor = await people_store.get_person(session, person_id=person.id or 0)
            assert actor is not None
            card = (await run_command(context(session, actor, policy, now), "pulse", "")).card
    assert card is not None and card.choices, f"{person.display_name} has no open pulse question"
    async with database.sessions() as session:
        while not await shows(session, card, key):
            reply = await tap(database, person, next_value(card), policy, now, SHOW_ACTION)
            assert reply.card is not None
            card = reply.card
    return card


async def tap(
    database: Database, person: Person, value: str, policy: Policy, now: datetime, action: str = ANSWER_ACTION
) -> Reply:
    """Press a button as `person`, in its own transaction, like an adapter does."""
    async with database.transaction() as session:
        actor = await people_store.get_person(session, person_id=person.id or 0)
        assert actor is not None
        return await run_action(context(session, actor, policy, now), action, value)


async def answer_question(
    database: Database, people: list[Person], key: str, values: list[int], policy: Policy, now: datetime
) -> None:
    """Each person taps their answer to question `key` in the message they received."""
    for person, value in zip(people, values, strict=True):
        card = await question_card_for(database, person, key, policy, now)
        reply = await tap(database, person, answer_button(card, value), policy, now)
        assert reply.replace_original and reply.card is not None, reply


def with_threshold(policy: Policy, threshold: int) -> Policy:
    return replace(policy, anonymity_threshold=threshold)


def test_support_builds_an_answer_value_the_parser_reads() -> None:
    card = Card(choices=())
    try:
        answer_button(card, 1)
    except AssertionError:
        return
    raise AssertionError("a card without buttons has no answer button")
