"""Microsoft's signing keys: fetched in a thread, at most once per interval, the last good set kept."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping

import pytest
from botframework.connector.auth import JwtTokenExtractor

from bot.teams import signing_keys
from bot.teams.signing_keys import FetchRules, SigningKey, SigningKeys

KEY = SigningKey(public_key="public", endorsements=["msteams"])
RULES = FetchRules(timeout=1.0, wait=5.0, interval=60.0, max_age=3600.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Microsoft:
    """A key endpoint that answers with `keys`, fails while `down`, and holds each fetch until `release` is set."""

    def __init__(self) -> None:
        self.keys: dict[str, SigningKey] = {"k1": KEY}
        self.down = False
        self.calls = 0
        self.release = threading.Event()
        self.release.set()

    def fetch(self, url: str, timeout: float) -> Mapping[str, SigningKey]:
        self.calls += 1
        self.release.wait(10)
        if self.down:
            raise OSError("unreachable")
        return dict(self.keys)


@pytest.fixture
def microsoft() -> Microsoft:
    return Microsoft()


def keys_of(microsoft: Microsoft, clock: Clock, rules: FetchRules = RULES) -> SigningKeys:
    return SigningKeys("https://login.example/openid", rules, fetch=microsoft.fetch, clock=clock)


async def test_a_known_key_is_fetched_once_and_then_served_from_memory(microsoft: Microsoft) -> None:
    keys = keys_of(microsoft, Clock())
    assert await keys.get("k1") is KEY and await keys.get("k1") is KEY
    assert microsoft.calls == 1


async def test_unknown_keys_cost_at_most_one_fetch_per_interval_and_are_refused(microsoft: Microsoft) -> None:
    clock = Clock()
    keys = keys_of(microsoft, clock)
    await keys.get("k1")
    for _ in range(5):
        with pytest.raises(PermissionError):
            await keys.get("forged")
    assert microsoft.calls == 1
    clock.now += RULES.interval
    microsoft.keys["k2"] = KEY
    assert await keys.get("k2") is KEY and microsoft.calls == 2


async def test_while_microsoft_is_down_the_last_good_keys_stay_in_use(microsoft: Microsoft) -> None:
    clock = Clock()
    keys = keys_of(microsoft, clock)
    await keys.get("k1")
    microsoft.down = True
    clock.now += RULES.max_age + 1
    assert await keys.get("k1") is KEY  # a day old: refreshed in the background, the old key still serves
    await asyncio.sleep(0.05)
    assert microsoft.calls == 2 and await keys.get("k1") is KEY


async def test_a_stalled_fetch_is_waited_for_only_so_long_and_only_one_runs(microsoft: Microsoft) -> None:
    microsoft.release.clear()
    keys = keys_of(microsoft, Clock(), FetchRules(timeout=1.0, wait=0.1, interval=60.0))
    results = await asyncio.gather(*(keys.get("k1") for _ in range(5)), return_exceptions=True)
    assert all(isinstance(result, PermissionError) for result in results)
    assert microsoft.calls == 1
    microsoft.release.set()
    await asyncio.sleep(0.05)
    assert await keys.get("k1") is KEY and microsoft.calls == 1


async def test_a_token_without_a_key_id_is_refused_without_a_fetch(microsoft: Microsoft) -> None:
    keys = keys_of(microsoft, Clock())
    with pytest.raises(PermissionError):
        await keys.get(None)
    await asyncio.sleep(0.05)
    assert microsoft.calls <= 1


def test_botbuilder_gets_one_signing_keys_per_metadata_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(JwtTokenExtractor, "metadataCache", {})
    monkeypatch.setattr(JwtTokenExtractor, "get_open_id_metadata", JwtTokenExtractor.get_open_id_metadata)
    signing_keys.install()
    first = JwtTokenExtractor.get_open_id_metadata("https://a.example/openid")
    assert isinstance(first, SigningKeys)
    assert JwtTokenExtractor.get_open_id_metadata("https://a.example/openid") is first
    assert JwtTokenExtractor.get_open_id_metadata("https://b.example/openid") is not first
