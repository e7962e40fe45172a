"""What the fake Slack Web API reads off the wire and how it limits callers: the recorded call, Slack's way of
merging query string and body, its token check, and a token bucket for Slack-like 429s."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.slack_workspace import JsonDict

# Free-text fields are never JSON-decoded, even if a user typed something that parses as JSON.
_FREE_TEXT_FIELDS = frozenset({"text", "markdown_text", "fallback", "title", "alt_text", "initial_comment", "query"})


@dataclass
class Call:
    """One request received by the fake; ``status`` stays None while the response is still pending."""

    method: str
    args: dict[str, Any]
    headers: Mapping[str, str]
    http_method: str = "POST"
    received_at: float = field(default_factory=time.monotonic)
    status: int | None = None
    response: JsonDict | None = None
    failed: bool = False  # True when the response was not ok: injected fault, rate limit, auth or API error
    peer: object = None  # the client's address and port: one per connection it opened


class TokenBucket:
    """Token bucket so pacing tests see Slack-like 429s instead of a hard per-call counter."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.last = rate, burst, burst, time.monotonic()

    def wait_time(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.last) * self.rate)
        self.last = max(self.last, now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def consume(self) -> None:
        self.tokens -= 1.0


def maybe_json(key: str, value: str) -> Any:
    if key in _FREE_TEXT_FIELDS or value[:1] not in ("[", "{"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_args(request: web.Request) -> dict[str, Any]:
    """Merge query string and body the way Slack does: query params, form fields or a JSON object."""
    args: dict[str, Any] = {k: maybe_json(k, v) for k, v in request.query.items()}
    if not request.can_read_body:
        return args
    if request.content_type == "application/json":
        raw = await request.text()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {"_raw_body": raw}  # keep the evidence instead of failing the request with a 500
        if isinstance(body, dict):
            args.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            args[key] = maybe_json(key, value) if isinstance(value, str) else value
    return args


def auth_error(call: Call) -> str | None:
    """Slack wants a token via ``Authorization: Bearer xox...`` (or a ``token`` form field); a command's
    ``response_url`` (served here as the method ``response_url``) needs none."""
    if call.method == "response_url":
        return None
    auth = call.headers.get("Authorization", "")
    token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else str(call.args.get("token", ""))
    if not token:
        return "not_authed"
    return None if token.startswith("xox") else "invalid_auth"
