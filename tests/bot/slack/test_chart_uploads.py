"""The Slack sender shares a card's charts with files_upload_v2 where the card went: a refusal for good (no
`files:write` scope) leaves the delivered message counted; a failure worth retrying retries the charts alone."""

from __future__ import annotations

import pytest

from bot.slack.sender import SlackSender
from scheduler.sending import DeliveryError, Destination
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.digest.test_org import PNG_SIGNATURE, card

DM = Destination(platform="slack", person_id=1)


async def test_charts_follow_the_message_in_the_direct_message(sender: SlackSender, fake_slack: FakeSlackApi) -> None:
    built = card()
    ref = await sender.send(DM, built, address="U2", marker=41)
    assert ref is not None and ref.startswith("DU2:")
    (complete,) = fake_slack.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "DU2"
    shared = fake_slack.files.shared_in("DU2")
    assert [item.filename for item in shared] == [chart.name for chart in built.images]
    for item, chart in zip(shared, built.images, strict=True):
        assert item.data == chart.data() and item.data[:8] == PNG_SIGNATURE
        assert item.title == chart.title and item.alt_txt
        assert item.alt_txt == chart.alt or (len(item.alt_txt) == 1000 and chart.alt.startswith(item.alt_txt[:-1]))


async def test_a_missing_scope_keeps_the_delivery(sender: SlackSender, fake_slack: FakeSlackApi) -> None:
    fake_slack.fail_next("files.getUploadURLExternal", "missing_scope")
    assert await sender.send(DM, card(), address="U2", marker=42)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_a_failed_upload_is_retried_without_posting_the_message_again(
    sender: SlackSender, fake_slack: FakeSlackApi
) -> None:
    fake_slack.fail_next("files.completeUploadExternal", "internal_error", status=500)
    with pytest.raises(DeliveryError) as failure:
        await sender.send(DM, card(), address="U2", marker=43)
    assert not failure.value.permanent
    ref = await sender.send(DM, card(), address="U2", marker=43)
    assert ref is not None and len(fake_slack.calls_to("chat.postMessage")) == 1
    assert len(fake_slack.files.shared_in("DU2")) == 4
