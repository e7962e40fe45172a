"""Is a signed Slack payload shaped like the ones Slack sends? Checked before Bolt and the listeners read it.

Bolt and the listeners index payloads the way Slack documents them (`body["user"]["id"]`, `event.get(…)`…). A body
with a list where Slack puts an object, or without the user who acted, would make them raise; such a body cannot
come from Slack, so it is refused with a 400 instead. Only the parts Bravo reads are described; anything else in a
payload is ignored, and a missing optional key is fine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Nullable:
    """The shape, or JSON null (Slack sends null for e.g. `enterprise` and `selected_option`)."""

    shape: Any


@dataclass(frozen=True)
class MapOf:
    """An object whose every value has this shape (e.g. a view's `state.values`)."""

    shape: Any


@dataclass(frozen=True)
class Required:
    """An object with these keys present (and shaped as described)."""

    keys: tuple[str, ...]
    shape: dict[str, Any]


SELECTED = {"value": str}
ELEMENT_STATE = {
    "type": str,
    "value": Nullable(str),
    "selected_users": [str],
    "selected_user": Nullable(str),
    "selected_options": [SELECTED],
    "selected_option": Nullable(SELECTED),
}
STATE = {"values": MapOf(MapOf(ELEMENT_STATE))}
MESSAGE = {"type": str, "subtype": str, "user": str, "text": str, "ts": str, "bot_id": str, "blocks": [dict]}
EVENT = {
    **MESSAGE,
    "channel": str,
    "channel_type": str,
    "event_ts": str,
    "thread_ts": str,
    "item_user": str,
    "reaction": str,
    "tab": str,
    "item": {"type": str, "channel": str, "ts": str},
    "view": {"id": str, "type": str, "hash": str},
    "message": MESSAGE,
    "previous_message": MESSAGE,
}
AUTHORIZATION = {
    "enterprise_id": Nullable(str),
    "team_id": Nullable(str),
    "user_id": str,
    "is_bot": bool,
    "is_enterprise_install": bool,
}
ENVELOPE = {
    "type": str,
    "token": str,
    "team_id": str,
    "api_app_id": str,
    "enterprise_id": Nullable(str),
    "event_id": str,
    "challenge": str,
    "event": EVENT,
    "authorizations": [AUTHORIZATION],
    "is_ext_shared_channel": bool,
}
VIEW = {
    "id": str,
    "type": str,
    "callback_id": str,
    "private_metadata": str,
    "team_id": str,
    "app_id": str,
    "hash": str,
    "root_view_id": Nullable(str),
    "previous_view_id": Nullable(str),
    "state": STATE,
}
ACTION = {
    "action_id": str,
    "block_id": str,
    "type": str,
    "value": str,
    "action_ts": str,
    "selected_option": Nullable(SELECTED),
    "selected_options": [SELECTED],
    "selected_user": Nullable(str),
    "selected_users": [str],
}
INTERACTION = Required(
    ("type", "user"),
    {
        "type": str,
        "token": str,
        "trigger_id": str,
        "callback_id": str,
        "response_url": str,
        "api_app_id": str,
        "is_enterprise_install": bool,
        "user": Required(("id",), {"id": str, "team_id": str, "name": str, "username": str}),
        "team": Nullable({"id": str, "domain": str, "enterprise_id": str}),
        "enterprise": Nullable({"id": str, "name": str}),
        "channel": Nullable({"id": str, "name": str}),
        "container": {"type": str, "channel_id": str, "message_ts": str, "view_id": str, "is_ephemeral": bool},
        "message": MESSAGE,
        "view": VIEW,
        "actions": [ACTION],
        "state": STATE,
    },
)
COMMAND = Required(("command", "user_id"), {"command": str, "user_id": str, "text": str, "trigger_id": str})


def slack_shaped(body: object) -> bool:
    """True for a body Bravo can read safely: an event envelope, an interaction or a slash command."""
    if not isinstance(body, Mapping):
        return False
    if "ssl_check" in body:
        return True
    if "command" in body:
        return _COMMAND(body)
    if "event" in body or body.get("type") in ("event_callback", "url_verification", "app_rate_limited"):
        return _ENVELOPE(body) and _event_has_its_actor(body.get("event"))
    return _INTERACTION(body) and (body.get("type") != "block_actions" or bool(body.get("actions")))


# Events whose listeners act on behalf of a person: without that person the event cannot come from Slack.
EVENTS_WITH_ACTOR = {"app_home_opened": "user", "reaction_added": "user", "reaction_removed": "user"}


def _event_has_its_actor(event: object) -> bool:
    if not isinstance(event, Mapping):
        return True
    key = EVENTS_WITH_ACTOR.get(str(event.get("type")))
    return key is None or isinstance(event.get(key), str)


Check = Callable[[object], bool]


def _checker(shape: Any) -> Check:
    """A function telling whether a value has `shape`, built once per shape: every delivery is checked before it is
    acknowledged, so the shape is not walked again for each one."""
    if isinstance(shape, Nullable):
        inner = _checker(shape.shape)
        return lambda value: value is None or inner(value)
    if isinstance(shape, Required):
        keys, fields = shape.keys, _checker(shape.shape)
        return lambda value: isinstance(value, Mapping) and all(key in value for key in keys) and fields(value)
    if isinstance(shape, MapOf):
        each = _checker(shape.shape)
        return lambda value: isinstance(value, Mapping) and all(each(item) for item in value.values())
    if isinstance(shape, dict):
        return _object_checker({key: _checker(expected) for key, expected in shape.items()})
    if isinstance(shape, list):
        item_check = _checker(shape[0])
        return lambda value: isinstance(value, list) and all(item_check(item) for item in value)
    kind = shape
    return lambda value: isinstance(value, kind)


def _object_checker(fields: dict[str, Check]) -> Check:
    """An object whose described keys, where present, have their shape; other keys are ignored."""

    def check(value: object) -> bool:
        if not isinstance(value, Mapping):
            return False
        for key, item in value.items():
            field_check = fields.get(key)
            if field_check is not None and not field_check(item):
                return False
        return True

    return check


_COMMAND = _checker(COMMAND)
_ENVELOPE = _checker(ENVELOPE)
_INTERACTION = _checker(INTERACTION)
