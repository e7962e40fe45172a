"""A slash command or form whose result is not ready within the answer budget: "working on it" only once the kudos is
committed, then one follow-up (a command's at its `response_url`, a form's in a direct message; both outbox rows); a
commit slower than Slack's 3 s is not acknowledged, and Slack's resend finds the same kudos."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlmodel import func, select

from bot.slack.http import BOLT_APP_KEY
from bot.slack.listeners import commands, interactivity
from bot.slack.response_urls import KIND
from storage.models import Kudos, OutboxMessage
from tests.bot.slack.conftest import SlackBravo
from tests.bot.slack.test_interactivity import state
from tests.conftest import both_engines
from tests.fakes.slack_requests import slash_command, view_submission

COMMIT_SECONDS = 0.4


def slow_commits(monkeypatch: pytest.MonkeyPatch, *, first_only: bool = False) -> list[bool]:
    """Kudos commands take COMMIT_SECONDS inside their transaction (before the commit); returns a log of calls."""
    give: Callable[..., Awaitable[Any]] = commands.give_from_texts
    calls: list[bool] = []

    async def slowly(*args: Any, **kwargs: Any) -> Any:
        outcomes = await give(*args, **kwargs)
        if not (first_only and calls):
            await asyncio.sleep(COMMIT_SECONDS)
        calls.append(True)
        return outcomes

    monkeypatch.setattr(commands, "give_from_texts", slowly)
    return calls


def answer_within(bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    monkeypatch.setattr(bravo.runtime.settings, "answer_seconds", seconds)


async def kudos_count(bravo: SlackBravo) -> int:
    async with bravo.runtime.database.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(Kudos))).one())


async def follow_ups_queued(bravo: SlackBravo) -> int:
    async with bravo.runtime.database.sessions() as session:
        query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == KIND)
        return int((await session.exec(query)).one())


def follow_up_texts(bravo: SlackBravo) -> list[str]:
    return [json.dumps(call.args, ensure_ascii=False) for call in bravo.api.calls_to("response_url")]


@both_engines
async def test_a_slow_commit_says_working_on_it_then_follows_up_once_even_when_slack_resends(
    bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_within(bravo, monkeypatch, 0.05)
    slow_commits(monkeypatch)
    hook = bravo.api.base_url + "response_url"
    command = slash_command("/kudos", "<@U2> thanks for the review", user_id="U1", trigger_id="T.1", response_url=hook)
    status, body, seconds = await bravo.post(command)
    assert status == 200 and "Working on it" in body, body
    assert seconds >= COMMIT_SECONDS  # acknowledged after the commit, not at the budget
    assert await kudos_count(bravo) == 1 and await follow_ups_queued(bravo) == 1
    await bravo.drain()
    (follow_up,) = follow_up_texts(bravo)
    assert "You gave 1 point" in follow_up and '"response_type": "ephemeral"' in follow_up
    status, body, _ = await bravo.post(command, retry_num=1)  # Slack sends it again: same trigger, same kudos
    assert status == 200
    await bravo.drain()
    assert await kudos_count(bravo) == 1 and await follow_ups_queued(bravo) == 1
    assert len(follow_up_texts(bravo)) == 1


async def test_working_on_it_is_in_the_givers_language(bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch) -> None:
    answer_within(bravo, monkeypatch, 0.05)
    slow_commits(monkeypatch)
    hook = bravo.api.base_url + "response_url"
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U2> merci !", user_id="U3", response_url=hook))
    assert status == 200 and "C'est en cours" in body, body
    await bravo.drain()
    (follow_up,) = follow_up_texts(bravo)
    assert "Tu as donné" in follow_up or "Vous avez donné" in follow_up, follow_up


async def test_a_commit_slower_than_slack_waits_is_not_acknowledged_and_the_resend_counts_once(
    bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_within(bravo, monkeypatch, 0.05)
    slow_commits(monkeypatch, first_only=True)
    listeners = bravo.app[BOLT_APP_KEY]._async_listeners
    for listener in listeners:
        monkeypatch.setattr(listener, "ack_timeout", 0.15)  # Slack's 3 s, shortened
    hook = bravo.api.base_url + "response_url"
    command = slash_command("/kudos", "<@U2> thanks for the review", user_id="U1", trigger_id="T.2", response_url=hook)
    status, _, _ = await bravo.post(command)
    assert status != 200  # not durable yet when Slack gave up: no acknowledgement
    deadline = time.monotonic() + 5
    while not await follow_ups_queued(bravo) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)  # the command goes on: committed, then its answer queued for response_url
    assert await follow_ups_queued(bravo) == 1
    answer_within(bravo, monkeypatch, 2.5)
    for listener in listeners:
        listener.ack_timeout = 3  # the resend meets a Bravo as fast as usual
    status, body, _ = await bravo.post(command, retry_num=1)
    assert status == 200 and "You gave 1 point" in body, body  # the resend finds the first kudos
    await bravo.drain()
    assert await kudos_count(bravo) == 1
    assert len(follow_up_texts(bravo)) == 1


async def test_a_fast_command_needs_no_follow_up(bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch) -> None:
    answer_within(bravo, monkeypatch, 2.5)  # the default
    hook = bravo.api.base_url + "response_url"
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U2> thanks", user_id="U1", response_url=hook))
    assert status == 200 and "You gave 1 point" in body
    await bravo.drain()
    assert await follow_ups_queued(bravo) == 0 and bravo.api.calls_to("response_url") == []


async def test_a_failed_follow_up_is_retried_until_it_reaches_slack(
    bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_within(bravo, monkeypatch, 0.0)
    hook = bravo.api.base_url + "response_url"
    bravo.api.fail_next("response_url", "service_unavailable", status=503)
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U2> thanks", user_id="U1", response_url=hook))
    assert status == 200 and "Working on it" in body
    await bravo.drain()
    async with bravo.runtime.database.sessions() as session:
        row = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == KIND))).one()
    assert row.status == "pending" and row.attempts == 1 and "503" in (row.last_error or "")


async def test_a_slow_form_says_working_on_it_then_sends_its_answer_once_in_a_direct_message(
    bravo: SlackBravo, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_within(bravo, monkeypatch, 0.05)
    submit_form: Callable[..., Awaitable[Any]] = interactivity.submit_form

    async def slowly(*args: Any, **kwargs: Any) -> Any:
        reply = await submit_form(*args, **kwargs)
        await asyncio.sleep(COMMIT_SECONDS)  # inside the transaction, before the commit
        return reply

    monkeypatch.setattr(interactivity, "submit_form", slowly)
    metadata = json.dumps({"channel": "C1"})
    submission = view_submission("kudos.give", state(), private_metadata=metadata, view_id="V7", user_id="U1")
    status, body, seconds = await bravo.post(submission)
    assert status == 200 and seconds >= COMMIT_SECONDS, body
    shown = json.loads(body)
    assert shown["response_action"] == "update" and "Working on it" in json.dumps(shown["view"])
    assert await kudos_count(bravo) == 1
    status, _, _ = await bravo.post(submission)  # submitted again (or resent): the same kudos, the same answer
    assert status == 200
    await bravo.drain()
    assert await kudos_count(bravo) == 1
    answers = [call for call in bravo.posts_to("U1") if "2 points each" in json.dumps(call)]
    assert len(answers) == 1
