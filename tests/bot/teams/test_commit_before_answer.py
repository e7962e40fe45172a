"""Teams activities and invokes are answered only after their commit: a commit that fails is never confirmed (the
person reads that nothing was saved), and a kudos is stored by the time Teams gets its 2xx, counted once however
often Teams delivers the activity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from tests.bot.teams.conftest import TeamsApp
from tests.bot.teams.test_kudos_http import ALICE, BOB, acme, card_text, points_by_email  # noqa: F401 - fixture
from tests.conftest import both_engines
from tests.fakes import teams_activities as ta

NOTHING_SAVED = "nothing was saved"


def database_down(*_args: Any, **_kwargs: Any) -> None:
    raise OperationalError("COMMIT", {}, ConnectionRefusedError("connection refused"))


@both_engines
async def test_a_kudos_whose_commit_fails_is_not_confirmed_and_a_redelivery_counts_once(
    acme: TeamsApp,  # noqa: F811 - fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    activity = ta.channel_message(
        "kudos <at>Bob Jones</at> thanks for the release",
        service_url=acme.connector.service_url,
        from_user=ALICE,
        mentions=[BOB],
    )
    monkeypatch.setattr("bot.teams.bot.run_command", database_down)
    assert await acme.post(activity) == 201
    (answer,) = await acme.connector.wait_for_activities(1)
    assert NOTHING_SAVED in card_text(answer) and await points_by_email(acme) == {}
    monkeypatch.undo()
    assert await acme.post(activity) == 201
    assert await points_by_email(acme) == {"bob@acme.example": 1}  # durable when the 201 was sent
    assert await acme.post(activity) == 201
    assert await points_by_email(acme) == {"bob@acme.example": 1}


async def test_an_invoke_whose_commit_fails_says_nothing_was_saved(
    acme: TeamsApp,  # noqa: F811 - fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.teams.bot.run_action", database_down)
    invoke = ta.card_action_invoke(
        "kudos.form", {"action": "kudos.form", "value": ""}, service_url=acme.connector.service_url, from_user=ALICE
    )
    response = await acme.client.post("/api/messages", json=invoke)
    assert response.status == 200 and NOTHING_SAVED in json.dumps(await response.json())
