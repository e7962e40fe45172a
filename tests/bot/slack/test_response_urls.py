"""The Slack sender's deliveries to a command's `response_url`: Slack's answers classified for the outbox, and a
follow-up in doubt sent again (Slack keeps nothing Bravo can read back)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.slack.response_urls import response_address
from bot.slack.sender import SlackSender
from handlers.messages import text_card
from scheduler.sending import DeliveryError, Destination
from tests.fakes.slack_api import FakeSlackApi

HERE = Destination(platform="slack", channel="response_url")


def address(api: FakeSlackApi, response_type: str = "ephemeral") -> str:
    found = response_address(
        api.base_url + "response_url", "in_channel" if response_type == "in_channel" else "ephemeral"
    )
    assert found is not None
    return found


async def test_a_follow_up_is_posted_to_the_url_as_the_command_answered(
    sender: SlackSender, fake_slack: FakeSlackApi
) -> None:
    ref = await sender.send(HERE, text_card("Done"), address=address(fake_slack, "in_channel"), marker=7)
    (call,) = fake_slack.calls_to("response_url")
    assert ref == "response_url" and fake_slack.calls_to("chat.postMessage") == []
    assert call.args["response_type"] == "in_channel" and call.args["replace_original"] is False
    assert call.args["text"] == "Done"


@pytest.mark.parametrize(
    ("status", "permanent", "retry_after"),
    [(404, True, None), (400, True, None), (500, False, None), (503, False, None), (429, False, 3.0)],
)
async def test_slacks_answers_are_classified_for_the_outbox(
    sender: SlackSender, fake_slack: FakeSlackApi, status: int, permanent: bool, retry_after: float | None
) -> None:
    fake_slack.fail_next("response_url", "expired_url", status=status, retry_after=3 if status == 429 else None)
    with pytest.raises(DeliveryError) as raised:
        await sender.send(HERE, text_card("Done"), address=address(fake_slack))
    assert raised.value.permanent is permanent and raised.value.retry_after == retry_after


async def test_a_follow_up_in_doubt_cannot_be_looked_up_so_it_is_sent_again(
    sender: SlackSender, fake_slack: FakeSlackApi
) -> None:
    with pytest.raises(DeliveryError) as raised:
        await sender.find_delivered(HERE, address(fake_slack), 7, since=datetime.now(UTC))
    assert raised.value.permanent and fake_slack.calls_to("conversations.history") == []


def test_an_address_too_long_for_the_outbox_is_not_queued() -> None:
    assert response_address("https://hooks.slack.com/commands/" + "x" * 300, "ephemeral") is None
    assert response_address("", "ephemeral") is None
