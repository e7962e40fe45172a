"""Slack request bodies read from the raw bytes: any command text is a command, anything malformed is a 4xx.

Written from the platform's side: signed (and unsigned) bodies go through the real `/slack/events` endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.body import read_body
from bot.slack.http import SLACK_PATH
from tests.bot.slack.conftest import SECRET, SlackBravo
from tests.fakes.slack_requests import FORM, JSON, block_actions, event_callback, slash_command
from tests.hardening.strategies import fuzz


async def post_raw(bravo: SlackBravo, raw: bytes, content_type: str, *, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": content_type}
    if secret is not None:
        ts = str(int(time.time()))
        digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
        headers |= {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
    response = await bravo.client.post(SLACK_PATH, data=raw, headers=headers)
    return response.status


async def test_a_command_whose_text_says_payload_gives_kudos(bravo: SlackBravo) -> None:
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U2|bob> thanks for fixing the payload parser"))
    assert status == 200
    assert "bob" in json.loads(body)["text"].lower()
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U2|bob> payload={} merci"))
    assert status == 200 and "bob" in json.loads(body)["text"].lower()


@fuzz()
@given(text=st.text(max_size=200))
def test_any_command_text_survives_the_reader(text: str) -> None:
    body, _ = slash_command("/kudos", f"payload {text}")
    parsed = read_body(body.encode(), FORM)
    assert parsed is not None and parsed["command"] == "/kudos" and parsed["text"].startswith("payload")


async def test_unsigned_bytes_that_are_not_utf8_are_refused_without_decoding(bravo: SlackBravo) -> None:
    assert await post_raw(bravo, b"command=/kudos&text=\xff\xfe", FORM, secret=None) == 401
    assert await post_raw(bravo, b"command=/kudos&text=\xff\xfe", FORM) == 400


async def test_deeply_nested_or_odd_bodies_are_refused_with_400(bravo: SlackBravo) -> None:
    assert await post_raw(bravo, b"[" * 100_000 + b"]" * 100_000, JSON) == 400
    assert await post_raw(bravo, urlencode({"payload": "[" * 50_000}).encode(), FORM) == 400
    assert await post_raw(bravo, b'"just a string"', JSON) == 400
    assert await post_raw(bravo, b"{not json", JSON) == 400


async def test_signed_payloads_missing_what_slack_always_sends_get_400(bravo: SlackBravo) -> None:
    body, ctype = block_actions("kudos.form", "")
    payload = json.loads(dict(parse_qsl(body))["payload"])
    payload["actions"] = []
    assert await post_raw(bravo, urlencode({"payload": json.dumps(payload)}).encode(), ctype) == 400
    home, ctype = event_callback({"type": "app_home_opened", "tab": "home", "channel": "D1"})
    assert await post_raw(bravo, home.encode(), ctype) == 400


@pytest.mark.parametrize("points", ["-3", "2.5", "999999999999999999999", "0", "1e3"])
async def test_points_that_are_not_a_whole_number_in_range_are_refused_with_the_rule(
    bravo: SlackBravo, points: str
) -> None:
    status, body, _ = await bravo.post(slash_command("/kudos", f"<@U2|bob> {points} merci", user_id="U1"))
    assert status == 200
    answer = json.loads(body)["text"]
    assert "Points must be a whole number from 1 to" in answer, answer
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U2|bob> 2 merci", user_id="U1"))
    assert "2 points" in json.loads(body)["text"]
