"""Whether a kudos given in a Slack conversation is re-posted in the public recognition channel.

What is said in a private channel or a group DM stays there: its recipients still get their own message, but the
recognition channel does not repeat it. A kudos given in a public channel, or in Bravo's own DM (the private way to
recognise someone publicly), is announced as before.

Slack says which is which (`conversations.info`: `is_private`, `is_mpim`, `is_im`; the channels:read, groups:read,
mpim:read and im:read scopes), kept a minute (`bot.slack.cache`); a conversation Bravo cannot see at all is private
to it. When Slack cannot tell (a scope not granted yet, an outage), the request's own hint decides: an event's
`channel_type`, a slash command's `channel_name`; without one, the kudos is announced.
"""

from __future__ import annotations

import logging
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.cache import SlackMemory

log = logging.getLogger(__name__)
# An event's `channel_type` ("group": a private channel) and a slash command's `channel_name` for private places.
PRIVATE_HINTS = frozenset({"group", "mpim", "privategroup"})
GROUP_DM_PREFIX = "mpdm-"
UNSEEN = frozenset({"channel_not_found", "not_in_channel"})
PUBLIC, PRIVATE, UNKNOWN = "public", "private", "unknown"


def hinted_private(hint: str | None) -> bool:
    return hint is not None and (hint in PRIVATE_HINTS or hint.startswith(GROUP_DM_PREFIX))


async def announced(
    client: AsyncWebClient, memory: SlackMemory, channel: str | None, *, hint: str | None, now: datetime
) -> bool:
    """True when a kudos given in `channel` may be re-posted publicly (no channel: a modal, App Home: yes)."""
    if not channel:
        return True
    kind = memory.conversations.get(channel, now)
    if kind is None:
        kind, shared = await _kind(client, channel)
        memory.conversations.put(channel, kind, now)
        memory.shared.put(channel, shared, now)
    return not hinted_private(hint) if kind == UNKNOWN else kind == PUBLIC


def maybe_external(memory: SlackMemory, channel: str | None, now: datetime) -> bool:
    """Whether people from another organisation may be in `channel` (Slack Connect), as far as `announced` learnt:
    True unless Slack said the conversation is shared with no other organisation (no channel: a modal, App Home)."""
    return channel is not None and memory.shared.get(channel, now) is not False


async def _kind(client: AsyncWebClient, channel: str) -> tuple[str, bool]:
    """`PUBLIC`, `PRIVATE`, or `UNKNOWN` when Slack cannot say (kept too, so Slack is not asked at every kudos); and
    whether the conversation may be shared with another organisation (`is_ext_shared`, `is_pending_ext_shared`; True
    when Slack cannot say)."""
    try:
        response = await client.conversations_info(channel=channel)
    except SlackApiError as error:
        code = str(error.response.get("error"))
        if code in UNSEEN:
            return PRIVATE, True
        log.info("conversations.info %s failed (%s): going by each request", channel, code)
        return UNKNOWN, True
    except (aiohttp.ClientError, TimeoutError) as error:
        log.info("conversations.info %s failed (%s): going by each request", channel, type(error).__name__)
        return UNKNOWN, True
    info = response.get("channel")
    if not isinstance(info, dict):
        return UNKNOWN, True
    shared = bool(info.get("is_ext_shared") or info.get("is_pending_ext_shared") or info.get("is_shared"))
    if info.get("is_im") or not (info.get("is_private") or info.get("is_mpim") or info.get("is_group")):
        return PUBLIC, shared
    return PRIVATE, shared
