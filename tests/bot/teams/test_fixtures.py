"""Stored real-shaped Teams payloads (`tests/fixtures/teams/`) go through `/api/messages` like live ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.bot.teams.conftest import TeamsApp
from tests.fakes import teams_activities as ta

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "teams"


def load(name: str, service_url: str) -> dict[str, Any]:
    activity: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    activity["serviceUrl"] = service_url
    return activity


async def test_a_stored_channel_kudos_is_answered_in_its_thread(teams_app: TeamsApp) -> None:
    connector = teams_app.connector
    connector.members = [ta.roster_member("Alice Smith"), ta.roster_member("Bob Jones")]
    activity = load("channel_kudos.json", connector.service_url)
    assert await teams_app.post(activity) == 201
    (answer,) = await connector.wait_for_activities(1)
    assert answer["replyToId"] == "1716300000123"
    assert "<at>Bob Jones</at>" in json.dumps(answer["attachments"][0]["content"])


async def test_a_stored_card_submission_opens_the_kudos_form(teams_app: TeamsApp) -> None:
    connector = teams_app.connector
    assert await teams_app.post(load("submit_open_form.json", connector.service_url)) == 201
    (answer,) = await connector.wait_for_activities(1)
    form = answer["attachments"][0]["content"]
    assert form["actions"][0]["data"]["bravo_form"] == "kudos.give"
