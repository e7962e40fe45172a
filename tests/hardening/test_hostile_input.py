"""Hostile input never escapes as an exception: every parser, every command, button and form of the core answers
arbitrary text with a message in the reader's language, and points are read strictly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from handlers.directory import parse_directory_csv
from handlers.i18n import Translator
from handlers.messages import Reply
from handlers.policy import Policy
from handlers.pulse import send_now
from handlers.routing import action_table, form_table, run_action, run_command, split_command, submit_form
from storage import people as people_store
from storage.db import Database
from storage.models import Person
from tests.handlers.pulse.test_support import context, seed_org
from tests.hardening.strategies import COMMAND_TEXT, JSON, POINTS, TEXT, fuzz, pieces

FUZZ = fuzz()


@dataclass
class World:
    """A small organisation with an open pulse: an English member, a French member and an admin."""

    database: Database
    policy: Policy
    now: datetime
    english: Person
    french: Person
    admin: Person

    async def answer(self, person: Person, call: str, name: str, text: str, values: object = None) -> Reply:
        """Run one command, button or form in a transaction that is rolled back, so examples do not pile up."""
        async with self.database.sessions() as session:
            actor = await people_store.get_person(session, person_id=person.id or 0)
            assert actor is not None
            ctx = context(session, actor, self.policy, self.now)
            ctx.event_key = f"fuzz:{call}:{name}:{text}"[:200]
            try:
                if call == "command":
                    return await run_command(ctx, name, text)
                if call == "action":
                    return await run_action(ctx, name, text)
                return await submit_form(ctx, name, values or {}, text)  # type: ignore[arg-type]
            finally:
                await session.rollback()


@pytest.fixture
async def world(database: Database, policy: Policy, now: datetime) -> AsyncIterator[World]:
    async with database.transaction() as session:
        members = await seed_org(session, {"Ops": 5, "Ventes": 3}, french=frozenset({"ventes1@acme.test"}))
        await send_now(session, policy=policy, now=now)
        admin = members["Ops"][4]
        admin.is_admin = True
        await people_store.save(session, admin)
    yield World(database, replace(policy), now, members["Ops"][0], members["Ventes"][0], admin)


def shown(answer: Reply) -> str:
    """What the person reads (a form counts: it is the answer to `/kudos` alone)."""
    assert answer.card is not None or answer.form is not None, answer
    return answer.card.plain() if answer.card is not None else answer.form.title if answer.form else ""


COMMANDS = st.sampled_from(["kudos", "pulse", "rewards", "help", "KUDOS", "nonsense", "", "/kudos", "é"])


@FUZZ
@given(command=COMMANDS, text=COMMAND_TEXT, who=st.sampled_from(["english", "french", "admin"]))
async def test_any_command_text_gets_an_answer(world: World, command: str, text: str, who: str) -> None:
    answer = await world.answer(getattr(world, who), "command", command, text)
    assert shown(answer).strip()


@FUZZ
@given(
    action=st.one_of(st.sampled_from(sorted(action_table())), TEXT),
    value=st.one_of(TEXT, JSON.map(str), st.sampled_from(["1:1", "0:0", ":", "a.b.c@0:1", "x@99:99", "…@0"])),
)
async def test_any_button_value_gets_an_answer(world: World, action: str, value: str) -> None:
    assert shown(await world.answer(world.english, "action", action, value)).strip()


FORM_VALUES = st.dictionaries(
    st.sampled_from(["people", "points", "values", "message", "reply", "comment", "teams"]),
    st.lists(st.one_of(TEXT, POINTS, st.integers(-5, 50).map(str)), max_size=3).map(tuple),
    max_size=5,
)


@FUZZ
@given(
    form=st.one_of(st.sampled_from(sorted(form_table())), TEXT),
    values=FORM_VALUES,
    metadata=st.one_of(TEXT, JSON.map(str)),
)
@example(form="kudos.give", values={"people": ("9223372036854775808",)}, metadata="")
@example(form="kudos.give", values={"people": ("²",), "points": ("²",)}, metadata="")
async def test_any_form_submission_gets_an_answer(
    world: World, form: str, values: dict[str, tuple[str, ...]], metadata: str
) -> None:
    assert shown(await world.answer(world.french, "form", form, metadata, values)).strip()


POINT_CASES = [
    ("+3", "You gave 3 points"),
    ("3", "You gave 3 points"),
    ("+999999", "from 1 to 5"),
    ("99999999999999999999", "from 1 to 5"),
    ("-3", "from 1 to 5"),
    ("2.5", "from 1 to 5"),
    ("0", "from 1 to 5"),
    ("٣", "You gave 3 points"),
    ("³", "You gave 1 point"),
]


@pytest.mark.parametrize(("points", "expected"), POINT_CASES)
async def test_points_are_read_strictly(world: World, points: str, expected: str) -> None:
    """A number among the mentions sets the points; one that is not a whole number in range is refused with the
    rule (never silently 1 point); anything else is words of the reason, never a crash."""
    recipient = world.english.id
    text = f"<@{recipient}> {points} thanks for the help"
    assert expected in shown(await world.answer(world.admin, "command", "kudos", text))


async def test_refusals_are_in_the_reader_s_language(world: World) -> None:
    recipient = world.english.id
    answer = shown(await world.answer(world.french, "command", "kudos", f"<@{recipient}> +999999 merci"))
    assert "de 1 à 5" in answer
    assert "commande" in shown(await world.answer(world.french, "command", "nonsense", ""))


@fuzz(150)
@given(line=pieces(st.sampled_from(["/", "/kudos", "/pulse", "/ kudos", "//"])))
def test_command_lines_split_without_raising(line: str) -> None:
    name, rest = split_command(line)
    assert " " not in name and rest == rest.strip()


@fuzz(150)
@given(
    rows=st.lists(
        st.lists(
            st.one_of(TEXT, st.sampled_from(["a@b.c", "", '"', '"x,y"', "Team", "Europe/Paris", "fr"])), max_size=8
        ),
        max_size=6,
    )
)
def test_directory_csv_with_hostile_cells_is_read_or_explained(rows: list[list[str]]) -> None:
    text = "email,name,team,manager_email,timezone,language\n" + "\n".join(",".join(row) for row in rows)
    good, errors = parse_directory_csv(text, Translator("fr"))
    assert all(error.line >= 2 and error.message for error in errors)
    assert all("@" in row.email and row.name for row in good)
