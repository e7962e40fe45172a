"""People picked in a Teams form: no roster call for people Bravo knows, one shared and kept look-up for the others,
and a request that never waits on the roster past its bound nor loses what was asked (docs/teams.md, "People picked
in a form")."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from botbuilder.schema.teams import TeamsChannelAccount
from sqlmodel import select

from bot.teams import lookups as lookups_module
from bot.teams import picker as picker_module
from bot.teams.activities import Submission
from bot.teams.forms import AGAIN_FORM, again_form, unwrapped
from bot.teams.http import TEAMS_BOT_KEY
from bot.teams.render import render_form
from handlers.i18n import Translator
from storage.models import Kudos, KudosRecipient, Person
from storage.models.base import utcnow
from tests.bot.teams.conftest import TeamsApp
from tests.fakes import teams_activities as ta
from tests.validators.node import card_verdict

ALICE = ta.teams_user("Alice Smith")
DANA = ta.roster_member("Dana Scott", email="dana@acme.example")
WAIT = 0.2


def member_calls(app: TeamsApp) -> int:
    return sum(1 for record in app.connector.records if record.operation == "member")


async def known(app: TeamsApp, account: dict[str, Any], email: str) -> None:
    async with app.runtime.database.transaction() as session:
        session.add(
            Person(
                display_name=account["name"],
                email=email,
                teams_id=account["id"],
                aad_object_id=account["aadObjectId"],
            )
        )


async def open_form(app: TeamsApp, *, locale: str = "en-US") -> tuple[str, dict[str, Any]]:
    """The kudos form Alice opens: its picker's input id and its submit button's data."""
    before = len(app.connector.activities)
    url = app.connector.service_url
    assert await app.post(ta.personal_message("kudos", service_url=url, from_user=ALICE, locale=locale)) == 201
    form = (await app.connector.wait_for_activities(before + 1))[-1]["attachments"][0]["content"]
    picker = next(item for item in form["body"] if item.get("choices.data"))
    return picker["id"], form["actions"][0]["data"]


def submission(app: TeamsApp, data: dict[str, Any], **inputs: str) -> dict[str, Any]:
    value = {**data, **{(key if key.startswith("bravo_") else f"bravo_input_{key}"): v for key, v in inputs.items()}}
    return ta.submit_message(value, service_url=app.connector.service_url, from_user=ALICE)


async def kudos_given(app: TeamsApp) -> list[tuple[str, int, str]]:
    async with app.runtime.database.sessions() as session:
        query = (
            select(Person.display_name, KudosRecipient.points, Kudos.message)
            .join(KudosRecipient, KudosRecipient.recipient_id == Person.id)  # type: ignore[arg-type]
            .join(Kudos, Kudos.id == KudosRecipient.kudos_id)  # type: ignore[arg-type]
        )
        rows = (await session.exec(query)).all()
    return [(str(name), points, str(message)) for name, points, message in rows]


def again(answer: dict[str, Any]) -> dict[str, Any]:
    """The form that came back: its content, checked to be the unsent form."""
    content = answer["attachments"][0]["content"]
    assert content["actions"][0]["data"]["bravo_form"] == AGAIN_FORM
    return content


class SlowRoster:
    """The roster call, held until opened; counts the calls."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.asked: list[str] = []

    async def fetch(self, _turn_context: Any, member_id: str) -> TeamsChannelAccount | None:
        self.asked.append(member_id)
        await self.opened.wait()
        return TeamsChannelAccount().deserialize(DANA) if member_id == DANA["aadObjectId"] else None


async def test_a_known_picked_person_costs_no_roster_call(teams_app: TeamsApp) -> None:
    bob = ta.teams_user("Bob Jones")
    await known(teams_app, ALICE, "alice@acme.example")
    await known(teams_app, bob, "bob@acme.example")
    picker, data = await open_form(teams_app)
    form = submission(teams_app, data, **{picker: bob["aadObjectId"], "points": "2", "message": "Thanks for the demo"})
    assert await teams_app.post(form) == 201
    await teams_app.described()
    assert await kudos_given(teams_app) == [("Bob Jones", 2, "Thanks for the demo")]
    assert member_calls(teams_app) == 0
    assert picker_module.PICKER_WAIT <= 1.5  # the bound docs/teams.md promises


async def test_a_slow_roster_holds_no_form_past_the_bound_shares_one_call_and_loses_nothing(
    teams_app: TeamsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster = SlowRoster()
    monkeypatch.setattr(lookups_module, "fetch_member", roster.fetch)
    monkeypatch.setattr(picker_module, "PICKER_WAIT", WAIT)
    await known(teams_app, ALICE, "alice@acme.example")
    picker, data = await open_form(teams_app)
    forms = [
        submission(teams_app, data, **{picker: DANA["aadObjectId"], "points": "3", "message": f"Thanks for fix {n}"})
        for n in range(2)
    ]
    started = time.monotonic()
    assert await asyncio.wait_for(asyncio.gather(*(teams_app.post(form) for form in forms)), timeout=5) == [201] * 2
    assert time.monotonic() - started < WAIT + 1.5  # the roster still has not answered
    answers = (await teams_app.connector.wait_for_activities(3))[1:]
    assert roster.asked == [DANA["aadObjectId"]]  # two forms, one look-up
    assert await kudos_given(teams_app) == []
    backs = [again(answer) for answer in answers]
    for back in backs:
        shown = json.dumps(back)
        assert "Teams has not found one of the people you picked yet" in shown and "Send again" in shown
        picked = next(item for item in back["body"] if item.get("choices.data"))
        assert picked["value"] == DANA["aadObjectId"]  # Teams shows Dana from her AAD object id

    roster.opened.set()
    await teams_app.described()  # the look-up lands after its requests: Dana is recorded in the background
    async with teams_app.runtime.database.sessions() as session:
        dana = (await session.exec(select(Person).where(Person.aad_object_id == DANA["aadObjectId"]))).one()
    assert dana.teams_id == DANA["id"] and dana.email == "dana@acme.example"
    bot = teams_app.client.app[TEAMS_BOT_KEY]  # type: ignore[index]
    assert bot.lookups.flights.answers.get(DANA["aadObjectId"], utcnow()) is not None  # and the answer is kept

    picked = next(item for item in backs[0]["body"] if item.get("choices.data"))
    # The two forms were answered concurrently, in either order: the first answer back is either one.
    message = next(f"Thanks for fix {n}" for n in range(2) if f"Thanks for fix {n}" in json.dumps(backs[0]))
    resent = submission(teams_app, backs[0]["actions"][0]["data"], **{picked["id"]: picked["value"]})
    assert await teams_app.post(resent) == 201
    assert await kudos_given(teams_app) == [("Dana Scott", 3, message)]  # every answer kept
    assert roster.asked == [DANA["aadObjectId"]]


async def test_someone_the_roster_does_not_have_comes_back_in_french_and_is_given_once_found(
    teams_app: TeamsApp,
) -> None:
    await known(teams_app, ALICE, "alice@acme.example")  # Dana is not in the team's roster (yet)
    picker, data = await open_form(teams_app, locale="fr-FR")
    form = submission(teams_app, data, **{picker: DANA["aadObjectId"], "message": "Merci pour la démo"})
    form["locale"] = "fr-FR"
    assert await teams_app.post(form) == 201
    back = again((await teams_app.connector.wait_for_activities(2))[-1])
    shown = json.dumps(back, ensure_ascii=False)
    assert "Rien n'a encore été envoyé" in shown and "Teams n'a pas encore trouvé" in shown and "Renvoyer" in shown
    assert await kudos_given(teams_app) == []
    teams_app.connector.members = [DANA]  # she joins the team
    picked = next(item for item in back["body"] if item.get("choices.data"))
    resent = submission(teams_app, back["actions"][0]["data"], **{picked["id"]: picked["value"]})
    assert await teams_app.post(resent) == 201
    assert await kudos_given(teams_app) == [("Dana Scott", 1, "Merci pour la démo")]


async def test_a_failing_roster_answers_within_the_bound_and_gives_nothing(
    teams_app: TeamsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(picker_module, "PICKER_WAIT", WAIT)
    await known(teams_app, ALICE, "alice@acme.example")
    teams_app.connector.members = [DANA]
    teams_app.connector.fail_next(500, times=100, operations=["member"])  # however often the connector retries
    picker, data = await open_form(teams_app)
    form = submission(teams_app, data, **{picker: DANA["aadObjectId"], "message": "Thanks"})
    started = time.monotonic()
    assert await teams_app.post(form) == 201
    assert time.monotonic() - started < WAIT + 1.5
    again((await teams_app.connector.wait_for_activities(2))[-1])
    assert await kudos_given(teams_app) == []
    await teams_app.described()


@pytest.mark.parametrize("universal", [False, True])
def test_the_form_that_comes_back_passes_microsofts_validation(universal: bool) -> None:
    sent = Submission(
        form="kudos.give",
        metadata='{"channel":"19:abc@thread.tacv2"}',
        inputs={"points": ("3",), "values": ("teamwork", "courage"), "message": ("é" * 1500,)},
        people_inputs={"people": ("6423da64-0ad8-54e9-91ed-b7190a715f15", "aad-2")},
    )
    back = again_form(Translator("fr"), sent, 2)
    assert unwrapped(Submission(form=back.action, metadata=back.metadata, people_inputs=sent.people_inputs)) == sent
    assert not card_verdict(render_form(back, universal=universal)).errors


async def test_with_universal_actions_the_form_comes_back_in_place_of_the_one_sent(teams_app: TeamsApp) -> None:
    await known(teams_app, ALICE, "alice@acme.example")
    picker, data = await open_form(teams_app)
    inputs = {**data, picker: DANA["aadObjectId"], "bravo_input_message": "Thanks"}
    invoke = ta.card_action_invoke("bravo_form", inputs, service_url=teams_app.connector.service_url, from_user=ALICE)
    response = await teams_app.client.post("/api/messages", json=invoke)
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["actions"][0]["data"]["bravo_form"] == AGAIN_FORM
    assert await kudos_given(teams_app) == []
