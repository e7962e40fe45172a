"""Kudos in Teams as Teams sends them: Activity JSON posted to `/api/messages`, answers read at a local connector."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from handlers.i18n import Translator
from handlers.kudos.commands import kudos_help
from storage.models import Kudos, KudosRecipient, Person
from tests.bot.teams.conftest import TeamsApp, acme_on, teams_settings
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector

ALICE, BOB = ta.teams_user("Alice Smith"), ta.teams_user("Bob Jones")


@pytest.fixture
async def acme(
    database_url: str, monkeypatch: pytest.MonkeyPatch, connector: FakeBotConnector
) -> AsyncIterator[TeamsApp]:
    """Alice and Bob in the directory and in Teams' roster (same emails); kudos are announced in the channel."""
    settings = teams_settings(database_url, monkeypatch, BRAVO_TEAMS_RECOGNITION_CHANNEL=ta.CHANNEL_ID)
    async with acme_on(settings, connector) as app:
        yield app


async def points_by_email(app: TeamsApp) -> dict[str, int]:
    async with app.runtime.database.sessions() as session:
        rows = (await session.exec(select(Person.email, KudosRecipient.points).join(KudosRecipient))).all()
    totals: dict[str, int] = {}
    for email, points in rows:
        totals[str(email)] = totals.get(str(email), 0) + points
    return totals


def card_text(activity: dict[str, Any]) -> str:
    return str(activity["attachments"][0]["content"])


async def test_a_channel_kudos_is_answered_in_its_thread_counted_once_and_announced(acme: TeamsApp) -> None:
    connector = acme.connector
    activity = ta.channel_message(
        "kudos <at>Bob Jones</at> thanks for the release #teamwork",
        service_url=connector.service_url,
        from_user=ALICE,
        mentions=[BOB],
    )
    assert await acme.post(activity) == 201
    (answer,) = await connector.wait_for_activities(1)
    assert answer["replyToId"] == activity["id"] and answer["conversation"]["id"] == activity["conversation"]["id"]
    content = answer["attachments"][0]["content"]
    assert content["msteams"]["entities"][0]["mentioned"]["id"] == BOB["id"]
    assert await points_by_email(acme) == {"bob@acme.example": 1}

    assert await acme.post(activity) == 201  # Teams delivers it again: counted once, its first answer again
    assert await points_by_email(acme) == {"bob@acme.example": 1}
    (_, again) = await connector.wait_for_activities(2)
    assert again["replyToId"] == activity["id"] and again["attachments"][0]["content"]["body"] == content["body"]

    await acme.worker.drain()
    posts = connector.activities_in(ta.CHANNEL_ID)
    assert len(posts) == 1 and "Bob Jones" in card_text(posts[0]) and "replyToId" not in posts[0]
    (created,) = connector.created_conversations
    assert created.body["members"][0]["id"] == BOB["id"]
    assert "thanks for the release" in card_text(connector.activities_in(created.conversation_id or "")[0])


async def test_in_a_personal_chat_kudos_needs_no_bot_mention_and_answers_in_french(acme: TeamsApp) -> None:
    connector = acme.connector
    activity = ta.personal_message(
        "kudos 2 <at>Bob Jones</at> merci pour la démo #teamwork",
        service_url=connector.service_url,
        from_user=ALICE,
        mentions=[BOB],
        locale="fr-FR",
    )
    assert await acme.post(activity) == 201
    (answer,) = await connector.wait_for_activities(1)
    assert answer["conversation"]["id"] == ta.personal_conversation_id(ALICE)
    assert "Vous avez donné" in card_text(answer) and "Bob Jones" in card_text(answer)
    assert await points_by_email(acme) == {"bob@acme.example": 2}


async def test_kudos_alone_opens_the_form_and_its_submission_gives_once(acme: TeamsApp) -> None:
    connector = acme.connector
    url = connector.service_url
    assert await acme.post(ta.personal_message("kudos", service_url=url, from_user=ALICE)) == 201
    (form_message,) = await connector.wait_for_activities(1)
    form = form_message["attachments"][0]["content"]
    picker = next(item for item in form["body"] if item.get("choices.data"))
    assert picker["choices.data"]["dataset"] == "graph.microsoft.com/users"
    bob_aad = connector.members[1]["aadObjectId"]
    value = {
        **form["actions"][0]["data"],
        picker["id"]: bob_aad,
        "bravo_input_points": "3",
        "bravo_input_message": "Thanks for the onboarding",
    }
    first = ta.submit_message(value, service_url=url, from_user=ALICE, reply_to_id="1700000000001")
    second = ta.submit_message(value, service_url=url, from_user=ALICE, reply_to_id="1700000000001")
    assert await acme.post(first) == 201 and await acme.post(second) == 201
    assert await points_by_email(acme) == {"bob@acme.example": 3}
    assert len(connector.activities) == 2


async def test_leaderboard_me_and_help_answer_with_cards(acme: TeamsApp) -> None:
    connector = acme.connector
    for text in ("leaderboard", "me", "help"):
        await acme.post(ta.channel_message(text, service_url=connector.service_url, from_user=ALICE))
    answers = await connector.wait_for_activities(3)
    assert all(item["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive" for item in answers)
    async with acme.runtime.database.sessions() as session:
        assert (await session.exec(select(Kudos))).all() == []


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
async def test_kudos_help_on_teams_promises_neither_user_groups_nor_emoji_kudos(acme: TeamsApp, locale: str) -> None:
    connector = acme.connector
    asking = ta.personal_message("kudos help", service_url=connector.service_url, from_user=ALICE, locale=locale)
    assert await acme.post(asking) == 201
    (answer,) = await connector.wait_for_activities(1)
    shown = json.dumps(answer["attachments"][0]["content"], ensure_ascii=False)
    t = Translator(locale[:2])
    assert t("recognise one or more people") in shown and t("open the kudos form") in shown
    groups, reaction = t("recognise a whole team (every member)"), t("as a reaction: a kudos for the message's author")
    for promise in ("@group", ":clap:", groups, reaction):
        assert promise not in shown
    everywhere_else = kudos_help(t, acme.runtime.policy).plain()
    assert "@group" in everywhere_else and ":clap:" in everywhere_else


async def test_universal_actions_answer_the_invoke_with_the_card_that_replaces_the_pressed_one(acme: TeamsApp) -> None:
    connector = acme.connector
    invoke = ta.card_action_invoke(
        "kudos.form", {"action": "kudos.form", "value": ""}, service_url=connector.service_url, from_user=ALICE
    )
    response = await acme.client.post("/api/messages", json=invoke)
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["actions"][0]["data"]["bravo_form"] == "kudos.give"
    again = await acme.client.post("/api/messages", json=invoke)
    assert (await again.json())["type"] == "application/vnd.microsoft.activity.message"
    assert connector.activities == []


async def test_pulse_typed_in_a_channel_is_answered_privately(acme: TeamsApp) -> None:
    connector = acme.connector
    await acme.post(ta.channel_message("pulse", service_url=connector.service_url, from_user=ALICE))
    (pointer,) = await connector.wait_for_activities(1)
    assert "private chat" in card_text(pointer)
    await acme.worker.drain()
    (created,) = connector.created_conversations
    assert created.body["members"][0]["id"] == ALICE["id"]
    assert len(connector.activities_in(created.conversation_id or "")) == 1


async def test_a_kudos_in_a_group_chat_is_not_reposted_in_the_channel_but_reaches_its_recipient(acme: TeamsApp) -> None:
    connector = acme.connector
    activity = ta.personal_message(
        "kudos <at>Bob Jones</at> thanks for the private review",
        service_url=connector.service_url,
        from_user=ALICE,
        mentions=[BOB],
    )
    activity["conversation"] = {
        "conversationType": "groupChat",
        "tenantId": ta.TENANT_ID,
        "id": ta.GROUP_CHAT_ID,
        "isGroup": True,
    }
    assert await acme.post(activity) == 201
    (answer,) = await connector.wait_for_activities(1)
    assert answer["conversation"]["id"] == ta.GROUP_CHAT_ID and "Bob Jones" in card_text(answer)
    assert await points_by_email(acme) == {"bob@acme.example": 1}
    await acme.worker.drain()
    assert connector.activities_in(ta.CHANNEL_ID) == []
    (created,) = connector.created_conversations
    assert "thanks for the private review" in card_text(connector.activities_in(created.conversation_id or "")[0])
