"""A kudos given in a Teams private or shared channel stays there, as on Slack: its recipients get their message, the
recognition channel does not repeat it; a standard channel's is announced (docs/teams.md, "Where kudos are
announced"). The activities are stored real-shaped payloads (`tests/fixtures/teams/`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.bot.teams.conftest import TeamsApp, acme_on, teams_settings
from tests.bot.teams.test_fixtures import load
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector

RECOGNITION = "19:0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d@thread.tacv2"
ALICE_AAD, BOB_ID = "6423da64-0ad8-54e9-91ed-b7190a715f15", "29:13305e65e0378344bf86126f0a6734e8db46be8ed"


@pytest.fixture
async def acme(
    database_url: str, monkeypatch: pytest.MonkeyPatch, connector: FakeBotConnector
) -> AsyncIterator[TeamsApp]:
    """Alice and Bob (with the stored payloads' AAD id and Teams id), kudos announced in their own channel."""
    settings = teams_settings(database_url, monkeypatch, BRAVO_TEAMS_RECOGNITION_CHANNEL=RECOGNITION)
    async with acme_on(settings, connector, alice=ALICE_AAD) as app:
        app.connector.members[1]["id"] = BOB_ID
        yield app


async def delivered(app: TeamsApp, activity: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """What the recognition channel got, and the texts of the messages sent to people in their 1:1 chats."""
    assert await app.post(activity) == 201
    await app.connector.wait_for_activities(1)
    await app.worker.drain()
    chats = [
        json.dumps(sent["attachments"][0]["content"], ensure_ascii=False)
        for created in app.connector.created_conversations
        for sent in app.connector.activities_in(created.conversation_id or "")
    ]
    return app.connector.activities_in(RECOGNITION), chats


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("private_channel_kudos.json", "thanks for the incident review"),
        ("shared_channel_kudos.json", "thanks for the joint launch"),
    ],
)
async def test_a_kudos_in_a_private_or_shared_channel_reaches_its_recipient_and_is_not_reposted(
    acme: TeamsApp, fixture: str, reason: str
) -> None:
    activity = load(fixture, acme.connector.service_url)
    posts, chats = await delivered(acme, activity)
    (answer,) = acme.connector.activities_in(activity["conversation"]["id"])
    assert answer["replyToId"] == activity["id"] and "Bob Jones" in json.dumps(answer["attachments"])
    assert posts == []
    assert any(reason in chat for chat in chats)  # Bob's own message


@pytest.mark.parametrize("kind", ["standard", None])
async def test_a_kudos_in_a_standard_channel_is_announced(acme: TeamsApp, kind: str | None) -> None:
    activity = load("private_channel_kudos.json", acme.connector.service_url)
    if kind is None:
        del activity["channelData"]["channel"]["type"]  # as captured before Teams described channels
    else:
        activity["channelData"]["channel"]["type"] = kind
    posts, _ = await delivered(acme, activity)
    assert len(posts) == 1 and "thanks for the incident review" in json.dumps(posts[0]["attachments"])


async def test_the_kudos_form_sent_from_a_private_channel_is_not_reposted_either(acme: TeamsApp) -> None:
    url = acme.connector.service_url
    stored = load("private_channel_kudos.json", url)
    alice = stored["from"]
    bob_aad = acme.connector.members[1]["aadObjectId"]
    value = {
        "bravo_form": "kudos.give",
        "bravo_people_people": bob_aad,
        "bravo_input_points": "2",
        "bravo_input_message": "Thanks for the postmortem",
    }
    submitted = ta.submit_message(value, service_url=url, from_user=alice, scope="channel")
    submitted["conversation"]["id"] = stored["conversation"]["id"]
    submitted["channelData"] = {**stored["channelData"], "source": {"name": "message"}}
    posts, chats = await delivered(acme, submitted)
    assert posts == [] and any("Thanks for the postmortem" in chat for chat in chats)
