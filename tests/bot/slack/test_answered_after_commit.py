"""Slash commands and forms are answered only after their commit: a commit that fails is never confirmed, and an
answer that fails after the commit loses nothing (the kudos and its messages are already durable)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from storage.models import Kudos, OutboxMessage
from tests.bot.slack.conftest import SlackBravo
from tests.bot.slack.test_interactivity import state
from tests.conftest import both_engines
from tests.fakes.slack_requests import block_actions, slash_command, view_submission


def database_down(*_args: Any, **_kwargs: Any) -> None:
    raise OperationalError("COMMIT", {}, ConnectionRefusedError("connection refused"))


async def counts(bravo: SlackBravo) -> tuple[int, int]:
    """(kudos, outbox rows) stored."""
    async with bravo.runtime.database.sessions() as session:
        kudos = (await session.exec(select(func.count()).select_from(Kudos))).one()
        rows = (await session.exec(select(func.count()).select_from(OutboxMessage))).one()
    return int(kudos), int(rows)


@both_engines
async def test_a_kudos_command_whose_commit_fails_is_not_confirmed(
    bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.slack.listeners.commands.give_from_texts", database_down)
    status, body, _ = await bravo.post(slash_command("/kudos", "@bob 2 thanks for the review", user_id="U1"))
    # Slack never resends a slash command: the person is told that nothing was saved, so they try again.
    assert status == 200 and "nothing was saved" in body, body
    assert await counts(bravo) == (0, 0)


async def test_a_kudos_command_whose_answer_fails_after_the_commit_keeps_the_kudos(
    bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def render_crash(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the process dies while answering")

    monkeypatch.setattr("bot.slack.listeners.commands.message_pages", render_crash)
    status, _, _ = await bravo.post(slash_command("/kudos", "<@U2> 2 thanks for the review", user_id="U1"))
    assert status != 200  # Slack shows the giver its own error, yet the kudos and its messages are durable
    kudos, rows = await counts(bravo)
    assert kudos == 1 and rows >= 1


async def test_a_form_whose_commit_fails_is_not_answered_200(
    bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.slack.listeners.interactivity.submit_form", database_down)
    metadata = json.dumps({"channel": "C1"})
    status, _, _ = await bravo.post(
        view_submission("kudos.give", state(), private_metadata=metadata, view_id="V9", user_id="U1")
    )
    assert status != 200
    assert await counts(bravo) == (0, 0)


async def test_a_button_whose_commit_fails_is_not_answered_200(
    bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.slack.listeners.interactivity.run_action", database_down)
    home = {"id": "VHOME", "type": "home", "blocks": []}
    status, _, _ = await bravo.post(block_actions("kudos.form|0", "", view=home, user_id="U1"))
    assert status != 200
    assert bravo.api.calls_to("views.open") == []
