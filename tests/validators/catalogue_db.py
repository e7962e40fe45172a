"""The cards and forms whose builders read the database, built through the core's own entry points at large sizes.

A 25-person team where twelve colleagues each recognised twenty people with 1,500-character reasons, ten reward
options on the table, an open pulse: what `/kudos me`, App Home, `/rewards`, the kudos form, a refused form's
"Edit and try again" and the pulse comment form look like then. Each item is a `Reply` the adapters render as they
would (`message`, `modal`, `home`); `build_replies` runs in its own event loop so a module-scoped fixture can call it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from handlers.actions.chat import propose_form
from handlers.home import home_card
from handlers.i18n import Translator
from handlers.kudos.form import FORM_ACTION, OPEN_FORM_ACTION
from handlers.messages import Reply
from handlers.policy import Policy
from handlers.pulse import send_now
from handlers.pulse.cards import COMMENT_ACTION, QUESTION_KIND
from handlers.rewards.proposals import propose
from handlers.routing import run_action, run_command, submit_form
from storage import people as people_store
from storage.db import Database
from storage.models import Person
from tests.conftest import TEST_SECRET_KEY
from tests.databases import sqlite_copy
from tests.handlers.pulse.test_support import answer_button, context, delivered_cards, seed_org, tap
from tests.validators.catalogue import NOW, reason

Shown = Literal["message", "modal", "home"]
GIVERS = 12
OPTIONS = 10
NAMES = (
    "actions.propose-form",
    "kudos.me",
    "kudos.me.nothing-yet",
    "kudos.leaderboard.week",
    "home",
    "home.nothing-yet",
    "rewards.goal-ten-options",
    "kudos.form",
    "kudos.form.prefilled",
    "kudos.refused-form.cyrillic-1500",
    "kudos.refused-form.emoji-1500",
    "kudos.refused-form.cyrillic-500",
    "pulse.answered",
    "pulse.comment-form",
)


@dataclass(frozen=True)
class Built:
    """A reply as one person got it, and where the adapter shows it (a message, a modal, the Home tab)."""

    reply: Reply
    shown: Shown


def large_policy() -> Policy:
    """Room for 1,500-character reasons and twenty recipients a kudos."""
    return Policy(daily_allowance=200, max_message_length=1500, anonymity_threshold=3, secret_key=TEST_SECRET_KEY)


async def _as(database: Database, person: Person, policy: Policy, step: str, value: str = "") -> Reply:
    async with database.transaction() as session:
        actor = await people_store.get_person(session, person_id=person.id or 0)
        assert actor is not None
        ctx = context(session, actor, policy, NOW)
        if step == "home":
            return Reply(card=await home_card(ctx))
        name, _, text = value.partition(" ")
        if step == "command":
            return await run_command(ctx, name, text)
        return await run_action(ctx, step, value)


async def _form(database: Database, person: Person, policy: Policy, values: dict[str, tuple[str, ...]]) -> Reply:
    async with database.transaction() as session:
        actor = await people_store.get_person(session, person_id=person.id or 0)
        assert actor is not None
        return await submit_form(context(session, actor, policy, NOW), FORM_ACTION, values, '{"channel": "C1"}')


async def _seed(database: Database, policy: Policy) -> tuple[list[Person], list[Person]]:
    async with database.transaction() as session:
        members = await seed_org(session, {"Engineering": 25, "Sales": 3})
        engineering = members["Engineering"]
        for index in range(OPTIONS):
            reward = f"Option {index + 1}: " + reason("cjk", 150)
            await propose(
                session, team_id=engineering[0].team_id, org=False, points=300, reward=reward, proposed_by=None
            )
    scripts = ("cyrillic", "cjk", "arabic", "emoji")
    for index, giver in enumerate(engineering[1 : GIVERS + 1]):
        recipients = [person for person in engineering if person.id != giver.id][:20]
        values = {
            "people": tuple(str(person.id) for person in recipients),
            "points": ("1",),
            "values": policy.company_values,
            "message": (reason(scripts[index % len(scripts)]),),
        }
        answer = await _form(database, giver, policy, values)
        assert answer.card is not None and not answer.card.choices, answer.card
    return engineering, members["Sales"]


async def _refusals(database: Database, person: Person, policy: Policy) -> dict[str, Built]:
    """Forms Bravo refuses (kudos to oneself) carry the person's inputs back in an "Edit and try again" button."""
    built: dict[str, Built] = {}
    for script, length, rules in (
        ("cyrillic", 1500, policy),
        ("emoji", 1500, policy),
        ("cyrillic", 500, replace(policy, max_message_length=500)),
    ):
        values = {"people": (str(person.id),), "points": ("2",), "message": (reason(script, length),)}
        answer = await _form(database, person, rules, values)
        assert answer.card is not None and answer.card.choices, answer
        built[f"kudos.refused-form.{script}-{length}"] = Built(answer, "modal")
    return built


async def _pulse(database: Database, policy: Policy, person: Person) -> dict[str, Built]:
    async with database.transaction() as session:
        await send_now(session, policy=policy, now=NOW)
        (card,) = await delivered_cards(session, person, kinds=(QUESTION_KIND,))
    answered = await tap(database, person, answer_button(card, max(_answers(card))), policy, NOW)
    assert answered.card is not None
    ref = next(choice.value for choice in card.choices if choice.action == COMMENT_ACTION)
    form = await tap(database, person, ref, policy, NOW, COMMENT_ACTION)
    assert form.form is not None, form
    return {"pulse.answered": Built(answered, "message"), "pulse.comment-form": Built(form, "modal")}


def _answers(card: object) -> list[int]:
    from handlers.pulse.tokens import parse_answer

    values = [parse_answer(choice.value) for choice in getattr(card, "choices", ())]
    return [value[1] for value in values if value]


async def _build(database: Database, policy: Policy) -> dict[str, Built]:
    engineering, sales = await _seed(database, policy)
    reader, newcomer = engineering[0], sales[0]
    built: dict[str, Built] = {
        "kudos.me": Built(await _as(database, reader, policy, "command", "kudos me"), "message"),
        "kudos.me.nothing-yet": Built(await _as(database, newcomer, policy, "command", "kudos me"), "message"),
        "kudos.leaderboard.week": Built(await _as(database, reader, policy, "command", "kudos leaderboard"), "message"),
        "home": Built(await _as(database, reader, policy, "home"), "home"),
        "home.nothing-yet": Built(await _as(database, newcomer, policy, "home"), "home"),
        "rewards.goal-ten-options": Built(await _as(database, reader, policy, "command", "rewards"), "message"),
        "kudos.form": Built(await _as(database, reader, policy, "command", "kudos"), "modal"),
    }
    prefill = json.dumps(
        {"p": [engineering[1].id, engineering[2].id], "n": 3, "v": ["teamwork"], "m": reason("cyrillic", 1500)}
    )
    built["kudos.form.prefilled"] = Built(await _as(database, reader, policy, OPEN_FORM_ACTION, prefill), "modal")
    built["actions.propose-form"] = Built(Reply(form=propose_form(Translator("fr"), 987654)), "modal")
    built.update(await _refusals(database, reader, policy))
    built.update(await _pulse(database, policy, engineering[3]))
    return built


def build_replies(template: Path, folder: Path, policy: Policy | None = None) -> dict[str, Built]:
    """Every database-built reply, on a fresh copy of the migrated SQLite template."""

    async def run() -> dict[str, Built]:
        database = Database(sqlite_copy(template, folder))
        try:
            built = await _build(database, policy or large_policy())
            assert set(built) == set(NAMES), sorted(set(built) ^ set(NAMES))
            return built
        finally:
            await database.dispose()

    return asyncio.run(run())
