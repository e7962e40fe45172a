"""Slack's request body read from the raw bytes, the way Slack writes it, before anything else looks at it.

Slack sends events as JSON, slash commands as a form, and interactivity as a form with a single `payload` field
holding JSON. slack_bolt's own reader treats any form body that merely *contains* the word "payload" as
interactivity, so `/kudos @bob thanks for the payload parser` would lose its text: Bravo reads the body itself, by
the form's keys rather than a substring, and hands Bolt the result as JSON. Anything that is not UTF-8, not
JSON where JSON is due, nested past reason, or not an object is unreadable (None), never an exception.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

# Slack's payloads nest a few levels deep; a body nested deeper than this cannot come from Slack.
MAX_NESTING = 64


def read_body(raw: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The request as a dictionary (events, commands and interactions alike), or None when it cannot be read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if (content_type or "").split(";")[0].strip().lower() == "application/json" or text.lstrip().startswith("{"):
        return _json_object(text)
    form = dict(parse_qsl(text, keep_blank_values=True))
    if set(form) == {"payload"}:
        return _json_object(form["payload"])
    return form


def _json_object(text: str) -> dict[str, Any] | None:
    # Counting brackets in C first: a body with few of them cannot nest deeply (and most bodies have few).
    if text.count("{") + text.count("[") > MAX_NESTING and _nesting(text) > MAX_NESTING:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _nesting(text: str) -> int:
    """How deeply brackets nest, counted without parsing (strings included, which only overestimates)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
