"""The outbox's Slack sender: chat.postMessage, and Slack's failures classified for retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.slack.paging import MESSAGE_TEXT, text_length
from bot.slack.sender import SlackSender
from handlers.messages import text_card
from scheduler.sending import DeliveryError, Destination
from tests.fakes.slack_api import FakeSlackApi
from tests.validators.catalogue import all_cards
from tests.validators.slack_limits import slack_problems

CARD = text_card("Kudos <3 & thanks")
DM = Destination(platform="slack", person_id=1)


async def test_a_direct_message_is_posted_to_the_user_id(sender: SlackSender, fake_slack: FakeSlackApi) -> None:
    ref = await sender.send(DM, CARD, address="U2")
    (call,) = fake_slack.calls_to("chat.postMessage")
    assert ref is not None and ref.startswith("DU2:")
    assert call.args["channel"] == "U2" and call.args["text"] == "Kudos &lt;3 &amp; thanks"


@pytest.mark.parametrize(
    ("error", "status", "permanent", "retry_after", "held"),
    [
        ("ratelimited", 429, False, 7.0, False),
        ("internal_error", 500, False, None, False),
        ("channel_not_found", 200, True, None, False),
        ("not_in_channel", 200, True, None, False),
        ("user_not_found", 200, True, None, False),
        ("account_inactive", 200, False, None, True),
        ("invalid_auth", 200, False, None, True),
        ("token_revoked", 200, False, None, True),
        ("is_archived", 200, True, None, False),
    ],
)
async def test_failures_are_classified_for_the_outbox(
    sender: SlackSender,
    fake_slack: FakeSlackApi,
    error: str,
    status: int,
    permanent: bool,
    retry_after: float | None,
    held: bool,
) -> None:
    fake_slack.fail_next("chat.postMessage", error, status=status, retry_after=7 if status == 429 else None)
    with pytest.raises(DeliveryError) as raised:
        await sender.send(Destination(platform="slack", channel="C1"), CARD, address="C1")
    assert raised.value.permanent is permanent and raised.value.retry_after == retry_after
    assert raised.value.held is held


async def test_a_network_failure_is_retried(sender: SlackSender, fake_slack: FakeSlackApi) -> None:
    sender.client.base_url = "http://127.0.0.1:9/api/"
    with pytest.raises(DeliveryError) as raised:
        await sender.send(DM, CARD, address="U2")
    assert raised.value.permanent is False


async def test_a_delivery_without_address_is_dropped(sender: SlackSender) -> None:
    with pytest.raises(DeliveryError) as raised:
        await sender.send(DM, CARD, address=None)
    assert raised.value.permanent is True


def test_a_plain_text_server_error_is_transient() -> None:
    """A proxy's 503 page is not JSON: it is still a transient failure, not a crash."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_slack_response import AsyncSlackResponse

    from bot.slack.sender import delivery_error

    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/chat.postMessage",
        req_args={},
        data="<html>Service Unavailable</html>",  # type: ignore[arg-type]
        headers={},
        status_code=503,
    )
    error = delivery_error(SlackApiError("server error", response))
    assert (error.reason, error.permanent) == ("http_503", False)


async def test_a_digest_longer_than_a_message_is_posted_as_pages_and_resumed_after_a_failure(
    sender: SlackSender, fake_slack: FakeSlackApi
) -> None:
    """A manager's digest of eight busy teams: numbered messages, each one Slack takes; a failure part-way resumes at
    the page that failed, and the delivery is found again only once its last page is there."""
    digest = all_cards()["digest.manager.eight-teams.en"]
    since = datetime.now(UTC) - timedelta(minutes=1)

    def then_fail(args: dict[str, Any]) -> dict[str, Any]:
        fake_slack.clear_response("chat.postMessage")
        fake_slack.fail_next("chat.postMessage", "internal_error", status=500)
        return fake_slack.default_response("chat.postMessage", args)

    fake_slack.responses_for("chat.postMessage", then_fail)
    with pytest.raises(DeliveryError):
        await sender.send(DM, digest, address="U2", marker=41)
    assert await sender.find_delivered(DM, "U2", 41, since=since) is None
    ref = await sender.send(DM, digest, address="U2", marker=41)
    posted = [call.args for call in fake_slack.calls_to("chat.postMessage") if not call.failed]
    assert len(posted) > 1 and ref is not None and ref.endswith(":" + fake_slack.calls[0].response["ts"])
    for number, message in enumerate(posted, 1):
        assert slack_problems(message) == [] and text_length(message["blocks"]) <= MESSAGE_TEXT
        assert message["metadata"]["event_payload"] == {"outbox_id": 41, "page": number, "pages": len(posted)}
    assert await sender.find_delivered(DM, "U2", 41, since=since) is not None


async def test_deliveries_share_one_connection_until_the_sender_is_closed(
    sender: SlackSender, fake_slack: FakeSlackApi
) -> None:
    for person in ("U2", "U3", "U4"):
        await sender.send(DM, CARD, address=person)
    peers = {call.peer for call in fake_slack.calls_to("chat.postMessage")}
    assert len(peers) == 1 and None not in peers
    session = sender.client.session
    await sender.aclose()
    assert session is not None and session.closed and sender.client.session is None
    await sender.send(DM, CARD, address="U5")  # a closed sender opens a new pool rather than failing
    assert sender.client.session is not None and not sender.client.session.closed
    await sender.aclose()
