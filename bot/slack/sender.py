"""Outbox deliveries to Slack: channel posts and direct messages through chat.postMessage.

Slack's answers become `DeliveryError`s the outbox worker understands: rate limits and outages are retried (after
`Retry-After` when Slack gives one); a missing channel or a deactivated person are not; a refused token (revoked,
invalid, its workspace or bot user deactivated) holds the message until `bravo outbox retry`, after the token is
fixed.

chat.postMessage has no idempotency key, so every message carries its outbox id as Slack message metadata
(`bravo_delivery`). When a crash leaves a delivery in doubt, `find_delivered` reads the conversation's history for
that id (`conversations.history`, needs the `*:history` scopes; for a direct message `conversations.open`, which needs
`im:write`) and the worker records the message found instead of posting it again.

A slash command's answer that could not ride on its acknowledgement goes to the command's `response_url` instead
(`bot.slack.response_urls`): Slack keeps no record of it to look up, so one in doubt is sent again.

A card's charts are shared after its last page with `files_upload_v2` into the same conversation (`bot.slack.charts`).
The numbers are in the message's text too, so a chart Slack refuses for good (the `files:write` scope missing) is
logged and the delivery still counts; a chart upload worth retrying retries the charts alone.

A card longer than one message holds (a manager's digest of many teams) is posted as numbered pages, in order, each
tagged with its number: a delivery counts as found only once its last page is there, and a delivery retried after a
failure part-way resumes at the first page this process has not posted yet.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.runtime import Runtime
from bot.slack.charts import file_uploads
from bot.slack.client import pooled_session, web_client
from bot.slack.render import message_pages
from bot.slack.response_urls import PageFailed, is_response_address, post_pages
from handlers.messages import Card
from scheduler.sending import DeliveryError, Destination

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "user_not_found",
        "is_archived",
        "restricted_action",
        "cannot_dm_bot",
        "user_disabled",
        "msg_too_long",
        "invalid_blocks",
        "no_text",
    }
)
# Slack refused Bravo's own token: every message would be refused alike until it is fixed, and none is at fault.
CREDENTIAL_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})
TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})
DELIVERY_EVENT = "bravo_delivery"
HISTORY_PAGE = 200
HISTORY_MAX_PAGES = 25
# Slack stamps messages with its own clock: look a little before the row was queued.
CLOCK_SKEW = timedelta(minutes=1)
# What a delivery to a command's response_url records as sent (the URL itself is not kept there).
RESPONSE_REF = "response_url"


def delivery_metadata(marker: int, page: int = 1, pages: int = 1) -> dict[str, Any]:
    """The message metadata that names the outbox row a message delivers (and which of its pages it is)."""
    payload: dict[str, Any] = {"outbox_id": marker}
    if pages > 1:
        payload.update(page=page, pages=pages)
    return {"event_type": DELIVERY_EVENT, "event_payload": payload}


def carries(message: dict[str, Any], marker: int, bot_id: str | None) -> bool:
    """True when `message` is Bravo's delivery of outbox row `marker` (posted by this app's bot, when known), or the
    last page of it."""
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != DELIVERY_EVENT:
        return False
    payload = metadata.get("event_payload")
    if not isinstance(payload, dict) or str(payload.get("outbox_id")) != str(marker):
        return False
    if payload.get("page", 1) != payload.get("pages", 1):
        return False
    return bot_id is None or message.get("bot_id") in (None, bot_id)


def delivery_error(error: SlackApiError) -> DeliveryError:
    """Classify a Web API failure for the outbox worker."""
    response = error.response
    status = int(response.status_code or 0)
    data = response.data if isinstance(response.data, dict) else {}
    code = str(data.get("error") or f"http_{status}")
    if status == 429 or code == "ratelimited":
        header = response.headers.get("Retry-After") or response.headers.get("retry-after")
        try:
            retry_after = float(header) if header is not None else None
        except ValueError:
            retry_after = None
        return DeliveryError("ratelimited", permanent=False, retry_after=retry_after)
    if status >= 500 or code in TRANSIENT_ERRORS:
        return DeliveryError(code, permanent=False)
    if code in CREDENTIAL_ERRORS:
        return DeliveryError(code, permanent=False, held=True)
    # Known permanent errors, and any other refusal: resending the same request would be refused again.
    return DeliveryError(code if code in PERMANENT_ERRORS else f"refused: {code}", permanent=True)


class SlackSender:
    """The `Sender` for Slack; a direct message is posted to the user id, which Slack routes to the app's DM.

    Its calls share one pooled HTTP session, opened at the first call (inside the event loop) and closed by
    `aclose` when the outbox worker stops.
    """

    platform = "slack"

    def __init__(self, runtime: Runtime) -> None:
        self.client = web_client(runtime.settings)
        self._conversations: dict[str, str] = {}
        self._bot_id: str | None = None
        # Pages already posted of a paged delivery that failed part-way: marker -> the first page's ref and count.
        self._posted: dict[int, tuple[str, int]] = {}

    async def send(
        self, destination: Destination, card: Card, *, address: str | None, marker: int | None = None
    ) -> str | None:
        """Post the card (tagged with `marker`, the outbox id), as pages if it is long; returns the first message's
        `channel:ts` so a later update can find it."""
        if not address:
            raise DeliveryError("no Slack address for this delivery", permanent=True)
        self._pool()
        payloads = message_pages(card)
        if destination.channel and destination.person_id is not None:
            return await self._shown_in_channel(destination.channel, address, payloads, marker)
        first, done = self._posted.pop(marker, ("", 0)) if marker is not None else ("", 0)
        if is_response_address(address):
            return await self._respond(address, payloads, marker, done)
        for number, payload in enumerate(payloads[done:], done + 1):
            try:
                ref = await self._post(address, payload, marker, number, len(payloads))
            except DeliveryError:
                if marker is not None and number > 1:
                    self._posted[marker] = (first, number - 1)
                raise
            first = first or ref
        if card.images:
            await self._share_charts(card, first, marker, len(payloads))
        return first

    def _pool(self) -> None:
        """Give the client a pooled session when it has none open (first call, or after `aclose`), with the
        client's timeout."""
        if self.client.session is None or self.client.session.closed:
            self.client.session = pooled_session(self.client.timeout)

    async def aclose(self) -> None:
        """Close the pooled session and its connections (a shutdown, the end of a one-shot command)."""
        session, self.client.session = self.client.session, None
        if session is not None and not session.closed:
            await session.close()

    async def _respond(self, address: str, payloads: list[dict[str, Any]], marker: int | None, done: int) -> str:
        """A command's late answer, at its `response_url` (`bot.slack.response_urls`); charts stay out of it."""
        try:
            await post_pages(address, payloads, done=done)
        except PageFailed as failure:
            if marker is not None and failure.posted:
                self._posted[marker] = (RESPONSE_REF, failure.posted)
            raise failure.error from failure
        return RESPONSE_REF

    async def _shown_in_channel(
        self, channel: str, user: str, payloads: list[dict[str, Any]], marker: int | None
    ) -> str:
        """A message only `user` sees in `channel` (chat.postEphemeral: it cannot be found again after a crash, so an
        attempt in doubt shows it again); where Slack refuses it for good (Bravo not in the channel), a direct
        message instead."""
        try:
            refs = [await self._ephemeral(channel, user, payload) for payload in payloads]
        except DeliveryError as error:
            if not error.permanent:
                raise
            log.info("chat.postEphemeral in %s refused (%s); sending a DM", channel, error.reason)
            refs = [
                await self._post(user, payload, marker, number, len(payloads))
                for number, payload in enumerate(payloads, 1)
            ]
        return refs[0]

    async def _ephemeral(self, channel: str, user: str, payload: dict[str, Any]) -> str:
        response = await _answer(self.client.chat_postEphemeral(channel=channel, user=user, **payload))
        return f"{channel}:{response.get('message_ts', '')}"

    async def _share_charts(self, card: Card, first: str, marker: int | None, pages: int) -> None:
        """Upload the card's charts where its first page went; a retryable failure retries only the charts."""
        channel = first.split(":", 1)[0]
        try:
            await self.client.files_upload_v2(file_uploads=file_uploads(card.images), channel=channel)
            return
        except SlackApiError as error:
            failure = delivery_error(error)
            if failure.permanent or failure.held:
                log.warning("charts not shared in %s: %s", channel, failure.reason)
                return
        except (SlackRequestError, aiohttp.ClientError, TimeoutError) as error:
            failure = DeliveryError(f"chart upload: {type(error).__name__}", permanent=False)
        if marker is not None:
            self._posted[marker] = (first, pages)
        raise failure

    async def _post(self, address: str, payload: dict[str, Any], marker: int | None, page: int, pages: int) -> str:
        response = await _answer(
            self.client.chat_postMessage(
                channel=address,
                unfurl_links=False,
                unfurl_media=False,
                metadata=delivery_metadata(marker, page, pages) if marker is not None else None,
                **payload,
            )
        )
        channel = str(response.get("channel") or address)
        if _is_user(address):
            self._conversations[address] = channel
        return f"{channel}:{response.get('ts', '')}"

    async def find_delivered(
        self, destination: Destination, address: str | None, marker: int, *, since: datetime
    ) -> str | None:
        """`channel:ts` of the message carrying `marker` posted since `since` (newest pages first), else None."""
        if not address:
            return None
        self._pool()
        if is_response_address(address):
            raise DeliveryError("a response_url cannot be read back", permanent=True)
        try:
            channel = await self._conversation(address)
            bot_id = await self._own_bot_id()
            oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
            cursor: str | None = None
            for _page in range(HISTORY_MAX_PAGES):
                response = await self.client.conversations_history(
                    channel=channel, oldest=oldest, include_all_metadata=True, limit=HISTORY_PAGE, cursor=cursor
                )
                for message in response.get("messages") or []:
                    if isinstance(message, dict) and carries(message, marker, bot_id):
                        return f"{channel}:{message.get('ts', '')}"
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not response.get("has_more") or cursor is None:
                    return None
        except SlackApiError as error:
            raise delivery_error(error) from error
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"network: {type(error).__name__}", permanent=False) from error
        raise DeliveryError(f"more than {HISTORY_MAX_PAGES * HISTORY_PAGE} messages to search", permanent=True)

    async def _conversation(self, address: str) -> str:
        """The conversation id of an address: a channel as is, a person's direct message channel opened."""
        if not _is_user(address):
            return address
        if address not in self._conversations:
            response = await self.client.conversations_open(users=address)
            self._conversations[address] = str((response.get("channel") or {}).get("id") or address)
        return self._conversations[address]

    async def _own_bot_id(self) -> str | None:
        """This app's bot id, so another app's look-alike metadata is never taken for Bravo's."""
        if self._bot_id is None:
            try:
                self._bot_id = str((await self.client.auth_test()).get("bot_id") or "") or None
            except SlackApiError:
                return None
        return self._bot_id


async def _answer(call: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
    """A Web API call's answer; its failure as a `DeliveryError` the outbox worker understands."""
    try:
        return await call
    except SlackApiError as error:
        raise delivery_error(error) from error
    except (aiohttp.ClientError, TimeoutError) as error:
        raise DeliveryError(f"network: {type(error).__name__}", permanent=False) from error


def _is_user(address: str) -> bool:
    return address[:1] in ("U", "W")
