"""Microsoft's token signing keys, fetched in a thread with a timeout, at most once per interval, the last good set
kept.

botframework-connector 4.17 fetches them itself (`jwt_token_extractor._OpenIdMetadata`) with a synchronous
`requests.get` without timeout, on the event loop: while Microsoft's endpoint stalls, the whole process stalls
(`/healthz` included), and while it is unreachable every token, forged ones too, costs a new network call. The
library keeps one metadata object per OpenID metadata URL (`JwtTokenExtractor.metadataCache`, filled by
`get_open_id_metadata`) and asks it `await get(key_id)` for a key with `public_key` and `endorsements`; `install()`
makes that object a `SigningKeys`:

- a fetch runs in its own thread, each HTTP call bounded by `FetchRules.timeout`; the event loop never waits on it;
- a request whose key is not known waits for the fetch in flight at most `FetchRules.wait`, then is refused (401);
- at most one fetch per `FetchRules.interval`, whatever the tokens say, and one at a time;
- the last good key set stays in use while a refresh fails; keys are refreshed in the background once a day.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests
from botframework.connector.auth import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchRules:
    """Seconds: per HTTP call to Microsoft, a request's wait for missing keys, between fetches, a key set's life."""

    timeout: float = 5.0
    wait: float = 3.0
    interval: float = 60.0
    max_age: float = 24 * 3600.0


RULES = FetchRules()


@dataclass(frozen=True)
class SigningKey:
    """What botbuilder reads of a key: the public key and the channels it may sign for."""

    public_key: Any
    endorsements: list[str] = field(default_factory=list)


def fetch_keys(url: str, timeout: float) -> dict[str, SigningKey]:
    """The usable keys of the key set the OpenID metadata at `url` names (blocking: runs in a thread)."""
    with requests.Session() as http:
        metadata = http.get(url, timeout=timeout)
        metadata.raise_for_status()
        answer = http.get(str(metadata.json()["jwks_uri"]), timeout=timeout)
        answer.raise_for_status()
        entries = answer.json().get("keys", [])
    keys: dict[str, SigningKey] = {}
    for entry in entries if isinstance(entries, list) else []:
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except Exception:  # noqa: BLE001 - a key Bravo cannot read signs nothing Bravo accepts
            continue
        endorsements = entry.get("endorsements")
        endorsed = [str(item) for item in endorsements] if isinstance(endorsements, list) else []
        keys[str(entry.get("kid"))] = SigningKey(public_key, endorsed)
    if not keys:
        raise ValueError(f"no usable signing key at {url}")
    return keys


Fetch = Callable[[str, float], Mapping[str, SigningKey]]


class SigningKeys:
    """The keys behind one OpenID metadata URL, as botbuilder's `_OpenIdMetadata` serves them, without blocking."""

    def __init__(
        self, url: str, rules: FetchRules, *, fetch: Fetch | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.url = url
        self.rules = rules
        self._fetch = fetch
        self._clock = clock
        self._keys: Mapping[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._pending: Future[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="openid-keys")

    async def get(self, key_id: str | None) -> SigningKey:
        """The key `key_id` names; `PermissionError` (401) when it is unknown and cannot be learnt in time."""
        key = self._keys.get(key_id) if key_id else None
        stale = self._fetched_at is None or self._clock() - self._fetched_at >= self.rules.max_age
        if key is None or stale:
            pending = self._refresh()
            if key is None and pending is not None and key_id:
                await asyncio.wait([asyncio.wrap_future(pending)], timeout=self.rules.wait)
                key = self._keys.get(key_id)
        if key is None:
            raise PermissionError(f"the token is signed with a key Microsoft does not publish ({key_id!r})")
        return key

    def _refresh(self) -> Future[None] | None:
        """The fetch in flight; else a new one, unless the last began less than an interval ago."""
        if self._pending is not None and not self._pending.done():
            return self._pending
        now = self._clock()
        if self._attempted_at is not None and now - self._attempted_at < self.rules.interval:
            return None
        self._attempted_at = now
        self._pending = self._executor.submit(self._fetch_and_keep)
        return self._pending

    def _fetch_and_keep(self) -> None:
        try:
            keys = (self._fetch or fetch_keys)(self.url, self.rules.timeout)
        except Exception as error:  # noqa: BLE001 - the last good keys stay; the next try waits an interval
            log.warning("cannot fetch Microsoft's signing keys from %s: %r", self.url, error)
            return
        self._keys, self._fetched_at = dict(keys), self._clock()


def install() -> None:
    """Make botframework-connector use a `SigningKeys` for each OpenID metadata URL (again: no effect)."""
    JwtTokenExtractor.get_open_id_metadata = staticmethod(signing_keys_for)


def signing_keys_for(url: str) -> SigningKeys:
    """The one `SigningKeys` of `url`, kept where botbuilder keeps its metadata objects."""
    cache: dict[str, Any] = JwtTokenExtractor.metadataCache
    keys = cache.get(url)
    if not isinstance(keys, SigningKeys):
        keys = cache[url] = SigningKeys(url, RULES)
    return keys
