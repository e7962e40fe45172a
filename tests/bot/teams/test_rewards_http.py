"""Rewards votes on Teams: a vote on the card a channel shares leaves that card as everyone sees it, and the voter
reads their own view (their vote counted) in their private chat with Bravo."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from tests.bot.teams.cards import JsonDict, button, choice_input, content
from tests.bot.teams.conftest import TeamsApp
from tests.fakes import teams_activities as ta

ALICE, BOB = ta.teams_user("Alice Martin"), ta.teams_user("Bob Smith")
NOTICE = "I sent you the answer in our private chat."


@pytest.fixture
def proposals() -> list[str]:
    return ["300 team lunch", "500 team trip"]


@pytest.fixture
async def shared_card(teams_app: TeamsApp, proposals: list[str]) -> AsyncIterator[tuple[TeamsApp, JsonDict]]:
    """Rewards proposed in the team's channel, and the rewards card Alice asked for there (id, content)."""
    app, connector = teams_app, teams_app.connector
    connector.members = [
        ta.roster_member("Alice Martin", email="alice@acme.example"),
        ta.roster_member("Bob Smith", email="bob@acme.example"),
    ]
    await app.import_people(
        ("alice@acme.example", "Alice Martin", "Engineering"),
        ("bob@acme.example", "Bob Smith", "Engineering"),
        ("carol@acme.example", "Carol Petit", "Engineering"),
        manager="alice@acme.example",
    )
    for text in [*(f"rewards propose {proposal}" for proposal in proposals), "rewards"]:
        assert await app.post(ta.channel_message(text, service_url=connector.service_url, from_user=ALICE)) == 201
    record = [r for r in connector.records if r.activity is not None][-1]
    assert record.activity is not None
    yield app, {"id": record.activity_id, "card": content(record.activity)}


def shown(activity: JsonDict) -> str:
    return json.dumps(content(activity), ensure_ascii=False)


async def test_a_vote_in_a_channel_keeps_the_shared_card_and_answers_the_voter_privately(
    shared_card: tuple[TeamsApp, JsonDict],
) -> None:
    app, card = shared_card
    connector = app.connector
    vote = button(card["card"], "Vote: team lunch")
    press = ta.submit_message(
        vote["data"], service_url=connector.service_url, from_user=BOB, scope="channel", reply_to_id=card["id"]
    )
    before = len(connector.activities)
    assert await app.post(press) == 201
    assert connector.updates == []
    (notice,) = connector.activities[before:]
    assert NOTICE in shown(notice) and "team lunch" not in shown(notice)
    await app.worker.drain()
    (private,) = [item for item in connector.activities[before + 1 :] if item["conversation"]["id"] != ta.CHANNEL_ID]
    assert "Your vote for team lunch is counted." in shown(private) and "✓" in shown(private)
    assert private["conversation"]["id"] not in (ta.CHANNEL_ID, card["id"])


async def test_a_universal_vote_in_a_channel_is_answered_with_a_message_not_a_replacing_card(
    shared_card: tuple[TeamsApp, JsonDict],
) -> None:
    app, card = shared_card
    vote = button(card["card"], "Vote: team trip")
    invoke = ta.card_action_invoke(
        "rewards.vote", vote["data"], service_url=app.connector.service_url, from_user=BOB, scope="channel"
    )
    response = await app.client.post("/api/messages", json=invoke)
    body = await response.json()
    assert response.status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == NOTICE and app.connector.updates == []


@pytest.mark.parametrize("proposals", [[f"{300 + n} outing number {n}" for n in range(1, 11)]])
async def test_ten_options_are_one_list_and_one_vote_button_and_the_picked_one_is_counted(
    shared_card: tuple[TeamsApp, JsonDict],
) -> None:
    app, card = shared_card
    connector = app.connector
    listed = choice_input(card["card"])
    assert listed["label"] == "Vote" and len(listed["choices"]) == 10
    seventh = next(item["value"] for item in listed["choices"] if item["title"] == "outing number 7")
    vote = button(card["card"], "Vote")
    picked = {**vote["data"], listed["id"]: seventh}
    press = ta.submit_message(
        picked, service_url=connector.service_url, from_user=BOB, scope="channel", reply_to_id=card["id"]
    )
    before = len(connector.activities)
    assert await app.post(press) == 201
    await app.worker.drain()
    private = [item for item in connector.activities[before:] if NOTICE not in shown(item)]
    assert len(private) == 1 and "Your vote for outing number 7 is counted." in shown(private[0])
