"""Pulse checks answered on Teams through the real adapter: every answer of the 0–10 eNPS scale can be tapped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from handlers.i18n import Translator
from handlers.pulse import send_now
from handlers.pulse.questions import ENPS_DRIVER
from storage.models import PulseAnswer, PulseQuestion
from storage.models.base import utcnow
from tests.bot.teams.cards import JsonDict, action_lists, button, content
from tests.bot.teams.conftest import TeamsApp
from tests.fakes import teams_activities as ta

BOB = ta.teams_user("Bob Smith")


@pytest.fixture(params=["en", "fr"])
async def bob_asked(request: pytest.FixtureRequest, teams_app: TeamsApp) -> AsyncIterator[tuple[TeamsApp, str]]:
    """Bob (in `language`) in a team of five, known to Bravo's Teams side, holding his first pulse question."""
    language: str = request.param
    app = teams_app
    app.connector.members = [ta.roster_member("Bob Smith", email="bob@acme.example")]
    people = [(f"p{n}@acme.example", f"Person {n}", "Engineering") for n in range(4)]
    await app.import_people(("bob@acme.example", "Bob Smith", "Engineering"), *people, language=language)
    hello = ta.personal_message("help", service_url=app.connector.service_url, from_user=BOB)
    assert await app.post(hello) == 201
    async with app.runtime.database.transaction() as session:
        assert await send_now(session, policy=app.runtime.policy, now=utcnow())
    await app.worker.drain()
    yield app, language


def last_card(app: TeamsApp, card_id: str) -> JsonDict:
    """What Bob sees now in the message `card_id`: its latest update, else the card as sent."""
    for update in reversed(app.connector.updates):
        if update.activity_id == card_id:
            return content(update.body)
    sent = next(r for r in app.connector.records if r.activity_id == card_id and r.activity is not None)
    assert sent.activity is not None
    return content(sent.activity)


async def tap(app: TeamsApp, action: JsonDict, card_id: str) -> None:
    press = ta.submit_message(action["data"], service_url=app.connector.service_url, from_user=BOB, reply_to_id=card_id)
    assert await app.post(press) == 201


async def stored_answers(app: TeamsApp) -> list[tuple[str, int]]:
    async with app.runtime.database.sessions() as session:
        rows = (await session.exec(select(PulseQuestion.driver, PulseAnswer.value).join(PulseQuestion))).all()
    return [(driver, value) for driver, value in rows]


async def test_each_of_the_eleven_enps_answers_can_be_tapped_and_is_stored(bob_asked: tuple[TeamsApp, str]) -> None:
    app, language = bob_asked
    t = Translator(language)
    (delivered,) = [r for r in app.connector.records if r.operation in ("send", "create") and r.activity is not None]
    card_id = str(delivered.activity_id)
    for value in range(11):
        card = last_card(app, card_id)
        assert all(len(actions) <= 6 for actions in action_lists(card)), action_lists(card)
        await tap(app, button(card, str(value)), card_id)
        assert await stored_answers(app) == [(ENPS_DRIVER, value)]
        following = last_card(app, card_id)
        assert {t("Add a comment"), t("Previous question")} <= {action["title"] for action in following["actions"]}
        await tap(app, button(following, t("Previous question")), card_id)
    answered = last_card(app, card_id)
    assert button(answered, "10")["style"] == "positive"
    assert t("Next question") in {action["title"] for action in answered["actions"]}
