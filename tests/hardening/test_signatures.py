"""Only Slack and Microsoft get in: a Slack body must carry a fresh v0 signature over exactly those bytes, a Teams
activity a Bot Framework token signed by a key Microsoft publishes, for this bot, for this service URL."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from botframework.connector.auth import JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.http import SLACK_PATH
from bot.teams import signing_keys
from bot.teams.signing_keys import SigningKey
from storage.models import Kudos
from tests.bot.slack.conftest import SECRET, SlackBravo
from tests.bot.teams.conftest import TeamsApp
from tests.bot.teams.test_auth_http import APP_ID
from tests.fakes import teams_activities as ta
from tests.fakes.slack_requests import sign, slash_command
from tests.hardening.strategies import fuzz
from tests.hardening.support import count

KUDOS = slash_command("/kudos", "<@U2|bob> thanks for the release", user_id="U1")[0]
FORM = "application/x-www-form-urlencoded"


async def post(bravo: SlackBravo, body: str, headers: dict[str, str]) -> int:
    response = await bravo.client.post(SLACK_PATH, data=body.encode(), headers={"Content-Type": FORM, **headers})
    await response.read()
    return response.status


def stale(seconds: int) -> dict[str, str]:
    return sign(KUDOS, SECRET, timestamp=int(time.time()) + seconds)


def refused(case: str) -> dict[str, str]:
    """Headers for each way a request can fail the check, computed when the test runs (timestamps age)."""
    now = str(int(time.time()))
    return {
        "no headers": {},
        "no signature": {"X-Slack-Request-Timestamp": now},
        "no timestamp": {"X-Slack-Signature": sign(KUDOS, SECRET)["X-Slack-Signature"]},
        "wrong secret": sign(KUDOS, "not-the-signing-secret"),
        "replayed after five minutes": stale(-6 * 60),
        "from the future": stale(6 * 60),
        "timestamp not a number": {**sign(KUDOS, SECRET), "X-Slack-Request-Timestamp": "yesterday"},
        "another scheme": {**sign(KUDOS, SECRET), "X-Slack-Signature": "v1=" + "0" * 64},
        "signature of another body": sign(KUDOS.replace("thanks", "thank"), SECRET),
    }[case]


REFUSED = [
    "no headers",
    "no signature",
    "no timestamp",
    "wrong secret",
    "replayed after five minutes",
    "from the future",
    "timestamp not a number",
    "another scheme",
    "signature of another body",
]


@pytest.mark.parametrize("case", REFUSED)
async def test_an_unsigned_forged_or_replayed_slack_request_gets_401(bravo: SlackBravo, case: str) -> None:
    assert await post(bravo, KUDOS, refused(case)) == 401
    assert await count(bravo.runtime.database, Kudos) == 0
    assert [call.method for call in bravo.api.calls] == []


async def test_a_request_signed_four_minutes_ago_is_still_accepted(bravo: SlackBravo) -> None:
    assert await post(bravo, KUDOS, stale(-4 * 60)) == 200
    assert await count(bravo.runtime.database, Kudos) == 1


@fuzz(40)
@given(data=st.data())
async def test_any_change_to_a_signed_body_gets_401(bravo: SlackBravo, data: st.DataObject) -> None:
    headers = sign(KUDOS, SECRET)
    position = data.draw(st.integers(min_value=0, max_value=len(KUDOS) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda char: char != KUDOS[position]))
    tampered = KUDOS[:position] + replacement + KUDOS[position + 1 :]
    assert await post(bravo, tampered, headers) == 401
    assert await count(bravo.runtime.database, Kudos) == 0


# -- Teams ----------------------------------------------------------------------------------------------------


MICROSOFT_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "bravo-test-key"


@pytest.fixture
def microsoft_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bot Framework's published signing keys, as Bravo fetches them (`bot.teams.signing_keys`), without the
    network: just ours."""
    published = {KID: SigningKey(MICROSOFT_KEY.public_key(), ["msteams"])}

    def fetch(url: str, timeout: float) -> dict[str, SigningKey]:
        return published

    monkeypatch.setattr(JwtTokenExtractor, "metadataCache", {})
    monkeypatch.setattr(signing_keys, "fetch_keys", fetch)


def token(service_url: str, *, key: Any = MICROSOFT_KEY, kid: str = KID, **claims: Any) -> str:
    body = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": int(time.time()) - 60,
        "exp": int(time.time()) + 3600,
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def tampered(signed: str) -> str:
    header, _, signature = signed.split(".")
    claims = jwt.decode(signed, options={"verify_signature": False})
    forged = jwt.utils.base64url_encode(json.dumps({**claims, "aud": "another-bot"}).encode()).decode()
    return f"{header}.{forged}.{signature}"


async def test_a_genuine_bot_framework_token_is_accepted(secured: TeamsApp, microsoft_keys: None) -> None:
    """The positive control: the same checks let Microsoft's own, correctly addressed token through."""
    activity = {**ta.personal_message("x", service_url=secured.connector.service_url), "type": "typing"}
    assert await secured.post(activity, Authorization=f"Bearer {token(secured.connector.service_url)}") == 201


@pytest.mark.parametrize(
    "case",
    [
        "wrong signature",
        "unknown key",
        "tampered claims",
        "expired",
        "for another bot",
        "for another service url",
        "unsigned",
        "another issuer",
    ],
)
async def test_a_forged_or_misaddressed_teams_token_gets_401(
    secured: TeamsApp, microsoft_keys: None, no_internet: list[str], case: str
) -> None:
    """Missing and malformed tokens are covered in tests/bot/teams/test_auth_http.py; these are well-formed lies."""
    url = secured.connector.service_url
    headers = {
        "wrong signature": {"Authorization": f"Bearer {token(url, key=OTHER_KEY)}"},
        "unknown key": {"Authorization": f"Bearer {token(url, kid='someone-else')}"},
        "tampered claims": {"Authorization": f"Bearer {tampered(token(url))}"},
        "expired": {"Authorization": f"Bearer {token(url, exp=int(time.time()) - 3600)}"},
        "for another bot": {"Authorization": f"Bearer {token(url, aud='22222222-0000-0000-0000-000000000000')}"},
        "for another service url": {"Authorization": f"Bearer {token('https://smba.evil.example/')}"},
        "unsigned": {"Authorization": "Bearer " + jwt.encode({"iss": "https://api.botframework.com"}, None, "none")},
        "another issuer": {"Authorization": f"Bearer {token(url, iss='https://sts.evil.example/')}"},
    }[case]
    activity = ta.personal_message("kudos", service_url=url)
    assert await secured.post(activity, **headers) == 401
    assert secured.connector.records == [] and no_internet == []
