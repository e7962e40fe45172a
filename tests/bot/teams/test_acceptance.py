"""The issue's acceptance, end to end against a local Bot Connector, with the real `bravo` commands.

A channel kudos counts once (a redelivery gets the first confirmation again) for the Bob found by email;
`bravo pulse send --now` and `bravo digest send --now` reach Teams people through the conversation references
Bravo stored.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import build_app
from bot.runtime import open_runtime
from storage.models import PulseAnswer
from tests.bot.teams.cards import buttons, content
from tests.bot.teams.conftest import TeamsApp, teams_settings
from tests.cli import run_bravo_async
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector

ALICE, BOB = ta.teams_user("Alice Martin"), ta.teams_user("Bob")


async def bravo(*args: str, database_url: str) -> tuple[int, str, str]:
    """Run the `bravo` command (Teams on, unauthenticated) while this test's event loop serves the connector."""
    return await run_bravo_async(*args, database_url=database_url, TEAMS_ALLOW_UNAUTHENTICATED="true")


@pytest.fixture
async def acme(
    database_url: str, monkeypatch: pytest.MonkeyPatch, connector: FakeBotConnector
) -> AsyncIterator[TeamsApp]:
    connector.members = [
        ta.roster_member("Alice Martin", email="alice@acme.example"),
        ta.roster_member("Bob", email="bob@acme.example"),
    ]
    async with open_runtime(teams_settings(database_url, monkeypatch)) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            app = TeamsApp(client=client, runtime=runtime, connector=connector)
            await app.import_people(
                ("alice@acme.example", "Alice Martin", "Engineering"),
                ("bob@acme.example", "Bob Smith", "Engineering"),
                ("carol@acme.example", "Carol Petit", "Engineering"),
                manager="alice@acme.example",
            )
            yield app


async def bob_points(database_url: str) -> int:
    code, out, err = await bravo("leaderboard", "--json", database_url=database_url)
    assert code == 0, err
    people = json.loads(out)["people"]
    return sum(int(entry["points"]) for entry in people if entry["email"] == "bob@acme.example")


def activity_texts(activities: list[dict[str, Any]]) -> str:
    return json.dumps([item.get("attachments") for item in activities], ensure_ascii=False)


async def test_channel_kudos_then_pulse_and_digest_reach_teams(acme: TeamsApp, database_url: str) -> None:
    connector = acme.connector
    activity = ta.channel_message(
        "kudos <at>Bob</at> thanks for the release #teamwork",
        service_url=connector.service_url,
        from_user=ALICE,
        mentions=[BOB],
    )
    assert activity["text"] == "<at>Bravo</at> kudos <at>Bob</at> thanks for the release #teamwork"
    assert await acme.post(activity) == 201
    (answer,) = await connector.wait_for_activities(1)
    assert answer["replyToId"] == activity["id"]
    assert await bob_points(database_url) == 1

    assert await acme.post(activity) == 201
    assert await bob_points(database_url) == 1
    (_, again) = await connector.wait_for_activities(2)
    assert again["attachments"][0]["content"]["body"] == answer["attachments"][0]["content"]["body"]
    await acme.worker.drain()
    before = len(connector.activities)

    code, out, err = await bravo("pulse", "send", "--now", database_url=database_url)
    assert code == 0, err + out
    pulses = connector.activities[before:]
    recipients = {item["recipient"]["id"] for item in pulses}
    assert {ALICE["id"], BOB["id"]} <= recipients, activity_texts(pulses)
    bob_pulse = next(item for item in pulses if item["recipient"]["id"] == BOB["id"])
    pressable = buttons(content(bob_pulse))
    assert pressable and all(action["type"] == "Action.Submit" for action in pressable)
    first_answer = next(action for action in pressable if action["data"]["action"] == "pulse.answer")

    card_id = next(r.activity_id for r in connector.records if r.activity is not None and r.activity is bob_pulse)
    press = ta.submit_message(
        first_answer["data"], service_url=connector.service_url, from_user=BOB, reply_to_id=card_id
    )
    assert await acme.post(press) == 201
    (update,) = connector.updates
    assert (
        update.activity_id == card_id
        and update.body["attachments"][0]["content"] != bob_pulse["attachments"][0]["content"]
    )
    press_again = ta.submit_message(
        first_answer["data"], service_url=connector.service_url, from_user=BOB, reply_to_id=card_id
    )
    assert await acme.post(press_again) == 201
    (_, again) = connector.updates  # the card submitted twice shows the same next question, the answer counted once
    assert "question 2 of 3" in json.dumps(again.body) and "question 2 of 3" in json.dumps(update.body)
    async with acme.runtime.database.sessions() as session:
        assert len((await session.exec(select(PulseAnswer))).all()) == 1

    before = len(connector.activities)
    code, out, err = await bravo("digest", "send", "--now", database_url=database_url)
    assert code == 0, err + out
    digests = connector.activities[before:]
    assert any(item["recipient"]["id"] == ALICE["id"] for item in digests), out + activity_texts(digests)
