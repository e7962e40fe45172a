"""A slash command's answer sent later, through its `response_url`, as an outbox delivery.

A command whose result is not ready within the answer budget is acknowledged with "working on it" only once its
answer is an outbox row, committed after the command's own transaction: a crash after the acknowledgement still
delivers the answer (the restarted worker sends it), never loses it. The row's address names the URL and how Slack
shows the answer (`response_url:<ephemeral|in_channel>:<url>`); the Slack sender posts there instead of calling
chat.postMessage. A `response_url` takes five messages and lives 30 minutes; Slack keeps no record Bravo can read,
so a follow-up whose first attempt may have arrived is sent again (at least once).
"""

from __future__ import annotations

from typing import Any, Literal

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from handlers.delivery import NewDelivery
from handlers.messages import Card
from scheduler.sending import DeliveryError

PREFIX = "response_url:"
KIND = "command_answer"
# Slack accepts five messages per response_url.
USES = 5
# The outbox keeps an address in at most this many characters (`outbox.channel`).
MAX_ADDRESS = 255
TIMEOUT_SECONDS = 30
ResponseType = Literal["ephemeral", "in_channel"]


def is_response_address(address: str | None) -> bool:
    return bool(address) and str(address).startswith(PREFIX)


def response_address(url: str, response_type: ResponseType) -> str | None:
    """The outbox address of an answer at `url`; None when it cannot be stored (no URL, or too long)."""
    address = f"{PREFIX}{response_type}:{url}"
    return address if url.startswith(("https://", "http://")) and len(address) <= MAX_ADDRESS else None


def follow_up(*, address: str, card: Card, key: str | None) -> NewDelivery:
    """The outbox row that answers a command late, keyed by the command (a resend queues it once)."""
    return NewDelivery(kind=KIND, platform="slack", payload=card.model_dump_json(), channel=address, dedupe_key=key)


async def post_pages(address: str, payloads: list[dict[str, Any]], *, done: int = 0) -> int:
    """Post the pages after the first `done` to the address's URL; returns how many are posted in all. Pages past
    Slack's five uses are left out (a command's answer is rarely that long)."""
    response_type, _, url = address.removeprefix(PREFIX).partition(":")
    client = AsyncWebhookClient(url=url, timeout=TIMEOUT_SECONDS)
    for number, payload in enumerate(payloads[done:USES], done + 1):
        body = {**payload, "response_type": response_type, "replace_original": False}
        try:
            response = await client.send_dict(body)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise PageFailed(number - 1, DeliveryError(f"network: {type(error).__name__}", permanent=False)) from error
        if response.status_code != 200:
            raise PageFailed(number - 1, _failure(response.status_code, response.headers, response.body))
    return min(len(payloads), USES)


def _failure(status: int, headers: dict[str, Any], body: str) -> DeliveryError:
    """Slack's answer as the outbox understands it: an expired or used URL will not take the message later."""
    if status == 429:
        retry = headers.get("Retry-After") or headers.get("retry-after") or ""
        try:
            retry_after: float | None = float(str(retry[0] if isinstance(retry, list) and retry else retry))
        except ValueError:
            retry_after = None
        return DeliveryError("ratelimited", permanent=False, retry_after=retry_after)
    reason = f"response_url {status}: {body[:80]}"
    return DeliveryError(reason, permanent=status < 500)


class PageFailed(Exception):
    """A page could not be posted; `posted` pages before it were."""

    def __init__(self, posted: int, error: DeliveryError) -> None:
        super().__init__(error.reason)
        self.posted = posted
        self.error = error
