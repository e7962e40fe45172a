"""Builders for the ``event`` objects inside Slack Events API envelopes.

Shapes mirror payloads Slack really delivers (cf. captured fixtures in opsdroid's Slack connector tests),
including ``rich_text`` blocks with ``user`` elements, which is where mentions live for kudos parsing.
"""

from __future__ import annotations

import itertools
import re
import time
import uuid
from typing import Any

JsonDict = dict[str, Any]

DEFAULT_TEAM = "T1"
DEFAULT_BOT_USER = "UBOT"

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_seq = itertools.count(1)


def new_ts() -> str:
    """Unique, increasing ``seconds.micros`` timestamp near now, like Slack message ``ts`` values."""
    return f"{int(time.time())}.{next(_seq):06d}"


def rich_text_blocks(text: str) -> list[JsonDict]:
    """The ``rich_text`` block Slack attaches to typed messages; ``<@U123>`` becomes a ``user`` element."""
    elements: list[JsonDict] = []
    pos = 0
    for match in _MENTION.finditer(text):
        if match.start() > pos:
            elements.append({"type": "text", "text": text[pos : match.start()]})
        elements.append({"type": "user", "user_id": match.group(1)})
        pos = match.end()
    if pos < len(text):
        elements.append({"type": "text", "text": text[pos:]})
    block_id = uuid.uuid4().hex[:4]
    return [
        {"type": "rich_text", "block_id": block_id, "elements": [{"type": "rich_text_section", "elements": elements}]}
    ]


def message_event(
    text: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
    team: str = DEFAULT_TEAM,
    blocks: bool = True,
    subtype: str | None = None,
    bot_id: str | None = None,
) -> JsonDict:
    """A ``message`` event; use ``channel_type="im"`` with a ``D...`` channel for DMs to the bot."""
    ts = ts or new_ts()
    event: JsonDict = {"type": "message", "text": text, "user": user, "ts": ts, "team": team}
    if subtype is None and bot_id is None:
        event["client_msg_id"] = str(uuid.uuid4())
    if subtype is not None:
        event["subtype"] = subtype
    if bot_id is not None:
        event["bot_id"] = bot_id
    if blocks:
        event["blocks"] = rich_text_blocks(text)
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event.update({"channel": channel, "event_ts": ts, "channel_type": channel_type})
    return event


def app_mention_event(
    text: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    ts: str | None = None,
    thread_ts: str | None = None,
    team: str = DEFAULT_TEAM,
    bot_user_id: str = DEFAULT_BOT_USER,
) -> JsonDict:
    """An ``app_mention`` event; the ``<@UBOT>`` prefix is added unless the text already mentions the bot."""
    if f"<@{bot_user_id}>" not in text:
        text = f"<@{bot_user_id}> {text}"
    ts = ts or new_ts()
    event: JsonDict = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "app_mention",
        "text": text,
        "user": user,
        "ts": ts,
        "blocks": rich_text_blocks(text),
        "team": team,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def reaction_added_event(
    reaction: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    item_ts: str = "1700000000.000100",
    item_user: str | None = "U2",
) -> JsonDict:
    """A ``reaction_added`` event on a message (``item_user`` is absent for e.g. webhook posts)."""
    event: JsonDict = {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": channel, "ts": item_ts},
        "event_ts": new_ts(),
    }
    if item_user is not None:
        event["item_user"] = item_user
    return event


def app_home_opened_event(
    user: str = "U1",
    *,
    channel: str | None = None,
    tab: str = "home",
    view: JsonDict | None = None,
) -> JsonDict:
    """An ``app_home_opened`` event; ``view`` is only present once a Home tab was published."""
    event: JsonDict = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel or f"D{user}",
        "tab": tab,
        "event_ts": new_ts(),
    }
    if view is not None:
        event["view"] = view
    return event
