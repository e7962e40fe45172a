"""The Teams activity handler driven by botbuilder's TestAdapter: commands, mentions, cards and redeliveries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Entity
from sqlmodel import select

from bot.runtime import Runtime, open_runtime
from bot.teams.bot import BravoTeamsBot
from bot.teams.pacing import Pacer
from bot.teams.render import FORM_KEY, INPUT_PREFIX, METADATA_KEY, MULTI_PREFIX
from bot.teams.replies import send_reply
from handlers.messages import Reply, reply
from storage import conversation_references as teams_store
from storage.models import Kudos, Person
from tests.bot.teams.conftest import teams_settings

ANN = ChannelAccount(id="29:ann", name="Ann Lee", aad_object_id="aad-ann")
BOB = {"id": "29:bob", "name": "Bob Jones"}


@pytest.fixture
async def runtime(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Runtime]:
    async with open_runtime(teams_settings(database_url, monkeypatch)) as opened:
        yield opened


@pytest.fixture
def adapter(runtime: Runtime) -> TestAdapter:
    bot = BravoTeamsBot(runtime, pacer=Pacer())
    template = Activity(
        channel_id="msteams",
        service_url="https://smba.example/teams/",
        from_property=ANN,
        recipient=ChannelAccount(id="28:bravo", name="Bravo"),
        conversation=ConversationAccount(id="a:ann", conversation_type="personal", tenant_id="tenant-1"),
    )
    return TestAdapter(bot.on_turn, template)


def card_of(activity: Activity) -> dict[str, Any]:
    (attachment,) = activity.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    return dict(attachment.content)


def texts(card: dict[str, Any]) -> str:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return "\n".join(found)


def message(text: str, activity_id: str, **fields: Any) -> Activity:
    return Activity(type="message", text=text, id=activity_id, locale=fields.pop("locale", "en-US"), **fields)


async def test_help_answers_in_the_person_s_language_and_a_redelivery_gets_the_same_answer(
    adapter: TestAdapter,
) -> None:
    await adapter.receive_activity(message("help", "act-1", locale="fr-FR"))
    answer = adapter.get_next_activity()
    assert "Valeurs de l'entreprise" in texts(card_of(answer))
    await adapter.receive_activity(message("help", "act-1", locale="fr-FR"))
    assert texts(card_of(adapter.get_next_activity())) == texts(card_of(answer))


async def test_unknown_text_points_to_help(adapter: TestAdapter) -> None:
    await adapter.receive_activity(message("hello bravo", "act-2"))
    assert "Type help" in texts(card_of(adapter.get_next_activity()))


async def test_kudos_with_a_mention_is_given_once_and_the_chat_is_remembered(
    adapter: TestAdapter, runtime: Runtime
) -> None:
    entity = Entity(type="mention").deserialize({"type": "mention", "text": "<at>Bob Jones</at>", "mentioned": BOB})
    activity = message("kudos <at>Bob Jones</at> thanks for the review #teamwork", "act-3", entities=[entity])
    await adapter.receive_activity(activity)
    confirmation = texts(card_of(adapter.get_next_activity()))
    assert "Bob Jones" in confirmation
    await adapter.receive_activity(message(activity.text, "act-3", entities=[entity]))
    assert texts(card_of(adapter.get_next_activity())) == confirmation  # the README's promise: the first one again
    async with runtime.database.sessions() as session:
        kudos = (await session.exec(select(Kudos))).all()
        ann = (await session.exec(select(Person).where(Person.teams_id == "29:ann"))).one()
        reference = await teams_store.personal_reference(session, person_id=ann.id or 0)
    assert len(kudos) == 1 and kudos[0].platform == "teams"
    assert reference is not None and reference.conversation_id == "a:ann" and reference.tenant_id == "tenant-1"


async def test_the_kudos_form_opens_and_a_double_submit_counts_once(adapter: TestAdapter, runtime: Runtime) -> None:
    await adapter.receive_activity(message("kudos", "act-4"))
    form = card_of(adapter.get_next_activity())
    submit = form["actions"][0]["data"]
    assert submit[FORM_KEY] == "kudos.give"
    async with runtime.database.transaction() as session:
        bob = Person(display_name="Bob Jones", email="bob@acme.example", teams_id="29:bob", aad_object_id="aad-bob")
        session.add(bob)
    value = {
        **submit,
        "bravo_people_people": "aad-bob",
        INPUT_PREFIX + "points": "2",
        MULTI_PREFIX + "values": "teamwork",
        INPUT_PREFIX + "message": "Thanks for the demo",
    }
    for activity_id in ("act-5", "act-6"):
        await adapter.receive_activity(Activity(type="message", id=activity_id, value=value, reply_to_id="card-1"))
    answers = [adapter.get_next_activity(), adapter.get_next_activity()]
    assert answers[1] is None and "Bob Jones" in texts(card_of(answers[0]))
    async with runtime.database.sessions() as session:
        kudos = (await session.exec(select(Kudos))).all()
    assert [(row.points, row.source) for row in kudos] == [(2, "form")]
    assert METADATA_KEY in submit


async def test_a_replacing_reply_updates_the_pressed_card(adapter: TestAdapter) -> None:
    async def press(turn_context: TurnContext) -> None:
        answer = Reply(card=reply("You answered 4").card, replace_original=True)
        await send_reply(turn_context, answer, pacer=Pacer(), universal=False)

    adapter.logic = press
    await adapter.receive_activity(Activity(type="message", id="act-7", value={"action": "x"}, reply_to_id="card-9"))
    (updated,) = adapter.updated_activities
    assert updated.id == "card-9" and "You answered 4" in texts(card_of(updated))
    assert adapter.get_next_activity() is None


async def test_tag_and_channel_mentions_stay_text_and_create_nobody(adapter: TestAdapter, runtime: Runtime) -> None:
    tag = Entity(type="mention").deserialize(
        {
            "type": "mention",
            "text": "<at>Designers</at>",
            "mentioned": {"id": "tag-1", "name": "Designers", "type": "tag"},
        }
    )
    await adapter.receive_activity(message("kudos <at>Designers</at> thanks #teamwork", "act-8", entities=[tag]))
    assert adapter.get_next_activity() is not None
    async with runtime.database.sessions() as session:
        names = [person.display_name for person in (await session.exec(select(Person))).all()]
    assert "Designers" not in names
