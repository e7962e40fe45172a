"""Console buttons: the number typed presses the button shown with it, a scale's own value is its number, and the
last buttons shown keep working after other messages."""

from __future__ import annotations

import io

from sqlmodel import select

from bot.console.chat import ConsoleChat
from bot.console.choices import choice_keys, choice_lines, pressed
from bot.console.demo import seed_demo
from handlers.messages import Choice
from handlers.policy import Policy
from handlers.pulse import send_now
from storage import people as people_store
from storage.db import Database
from storage.models.base import utcnow
from storage.models.pulse import PulseAnswer
from tests.bot.console.runtime import console_runtime

SCALE = [Choice(label=str(n), action="a", value=str(n)) for n in range(11)]
EXTRA = [Choice(label="Add a comment", action="c", value=""), Choice(label="Next question", action="n", value="")]


def test_a_numbered_scale_is_pressed_by_its_own_values_and_other_buttons_follow() -> None:
    keys = choice_keys([*SCALE, *EXTRA])
    assert keys == [str(n) for n in range(13)]
    assert pressed([*SCALE, *EXTRA], "10") is SCALE[10]
    assert pressed([*SCALE, *EXTRA], "0") is SCALE[0]
    assert pressed([*SCALE, *EXTRA], "12") is EXTRA[1]
    assert pressed([*SCALE, *EXTRA], "13") is None
    assert choice_lines([*SCALE, *EXTRA])[0] == "  " + " ".join(f"[{n}]" for n in range(11))
    assert choice_lines(EXTRA) == ["  [1] Add a comment", "  [2] Next question"]


async def chat(database: Database, policy: Policy, lines: str) -> str:
    async with database.transaction() as session:
        await seed_demo(session, values=policy.company_values)
        await send_now(session, policy=policy, now=utcnow())
        (person,) = await people_store.people_named(session, name="Bob Smith")
    out = io.StringIO()
    await ConsoleChat(console_runtime(database, policy), person, io.StringIO(lines), out).run()
    return out.getvalue()


async def test_typing_10_on_the_enps_scale_answers_10_even_after_another_message(
    database: Database, policy: Policy
) -> None:
    shown = await chat(database, policy, "/kudos @David thanks\n/kudos me\n10\n42\n")
    assert "Pulse check: question 2 of 3" in shown
    assert "No button has the number 42." in shown
    async with database.sessions() as session:
        values = [answer.value for answer in (await session.exec(select(PulseAnswer))).all()]
    assert values == [10]
