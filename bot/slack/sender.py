"""Outbox deliveries to Slack: channel posts and direct messages through chat.postMessage.

Slack's answers become `DeliveryError`s the outbox worker understands: rate limits and outages are retried (after
`Retry-After` when Slack gives one); a missing channel, a deactivated person or a revoked token are not.
"""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.slack.client import web_client
from bot.slack.render import message_payload
from handlers.messages import Card, DeliveryError, Destination

PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "user_not_found",
        "account_inactive",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "is_archived",
        "restricted_action",
        "cannot_dm_bot",
        "user_disabled",
        "msg_too_long",
        "invalid_blocks",
        "no_text",
    }
)
TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def delivery_error(error: SlackApiError) -> DeliveryError:
    """Classify a Web API failure for the outbox worker."""
    response = error.response
    status = int(response.status_code or 0)
    code = str(response.get("error") or f"http_{status}")
    if status == 429 or code == "ratelimited":
        header = response.headers.get("Retry-After") or response.headers.get("retry-after")
        try:
            retry_after = float(header) if header is not None else None
        except ValueError:
            retry_after = None
        return DeliveryError("ratelimited", permanent=False, retry_after=retry_after)
    if status >= 500 or code in TRANSIENT_ERRORS:
        return DeliveryError(code, permanent=False)
    # Known permanent errors, and any other refusal: resending the same request would be refused again.
    return DeliveryError(code if code in PERMANENT_ERRORS else f"refused: {code}", permanent=True)


class SlackSender:
    """The `Sender` for Slack; a direct message is posted to the user id, which Slack routes to the app's DM."""

    platform = "slack"

    def __init__(self, runtime: Runtime) -> None:
        self.client = web_client(runtime.settings)

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        """Post the card; returns `channel:ts` so a later update can find the message."""
        if not address:
            raise DeliveryError("no Slack address for this delivery", permanent=True)
        try:
            response = await self.client.chat_postMessage(
                channel=address, unfurl_links=False, unfurl_media=False, **message_payload(card)
            )
        except SlackApiError as error:
            raise delivery_error(error) from error
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"network: {type(error).__name__}", permanent=False) from error
        return f"{response.get('channel', address)}:{response.get('ts', '')}"
