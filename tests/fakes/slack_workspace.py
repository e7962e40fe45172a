"""State and default Web API responses of the fake Slack workspace.

Kept apart from the HTTP server so response shapes can be read (and unit-tested) on their own.
Shapes follow the real Web API responses closely enough for slack_sdk, Bolt and Bravo's adapters.
"""

from __future__ import annotations

import base64
import itertools
import math
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

JsonDict = dict[str, Any]
T = TypeVar("T")

TEAM_ID = "T1"
TEAM_NAME = "Acme"
TEAM_DOMAIN = "acme"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A1"


def make_user(
    user_id: str,
    name: str,
    *,
    email: str | None = None,
    real_name: str | None = None,
    tz: str = "Europe/London",
    tz_offset: int = 0,
    locale: str = "en-GB",
    is_bot: bool = False,
    deleted: bool = False,
    is_admin: bool = False,
    team_id: str = TEAM_ID,
) -> JsonDict:
    """Build a ``users.info``-shaped user object, so tests only spell out what they care about."""
    real = real_name if real_name is not None else name.replace(".", " ").title()
    profile: JsonDict = {
        "real_name": real,
        "real_name_normalized": real,
        "display_name": name,
        "display_name_normalized": name,
        "image_48": f"https://avatars.example/{user_id}_48.png",
        "image_72": f"https://avatars.example/{user_id}_72.png",
        "team": team_id,
    }
    if email is not None or not is_bot:
        profile["email"] = email if email is not None else f"{name}@acme.example"
    if is_bot:
        profile["bot_id"] = BOT_ID if user_id == BOT_USER_ID else f"B{user_id[1:]}"
    return {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "deleted": deleted,
        "real_name": real,
        "tz": tz,
        "tz_label": tz,
        "tz_offset": tz_offset,
        "profile": profile,
        "is_admin": is_admin,
        "is_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": is_bot,
        "is_app_user": False,
        "updated": 1700000000,
        "locale": locale,
    }


def _page(items: Sequence[T], args: JsonDict) -> tuple[list[T], str]:
    """Cursor pagination like Slack's: opaque base64 cursors and an empty ``next_cursor`` at the end."""
    start = 0
    cursor = str(args.get("cursor") or "")
    if cursor:
        start = int(base64.b64decode(cursor).decode().removeprefix("offset:"))
    limit = int(args.get("limit") or 100) or 100
    chunk = list(items[start : start + limit])
    end = start + len(chunk)
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return chunk, next_cursor


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


class SlackWorkspace:
    """Directory data plus a default responder per Web API method."""

    def __init__(self) -> None:
        self.users: dict[str, JsonDict] = {BOT_USER_ID: make_user(BOT_USER_ID, "bravo", real_name="Bravo", is_bot=True)}
        self.usergroups: dict[str, list[str]] = {}
        self.channel_members: dict[str, list[str]] = {}
        # Messages posted with chat.postMessage per channel, oldest first, with the wall-clock time they arrived
        # (the fake's `ts` values count messages, they are not times): what conversations.history answers from.
        self.history: dict[str, list[tuple[float, JsonDict]]] = {}
        self._ts_counter = itertools.count(1)
        self._view_counter = itertools.count(1)
        self.defaults: dict[str, Callable[[JsonDict], JsonDict]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "users.list": self._users_list,
            "conversations.open": self._conversations_open,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": lambda args: {"ok": True, "message_ts": self.next_ts()},
            "chat.update": self._chat_update,
            "views.open": self._views_open,
            "views.update": self._view_response,
            "views.push": self._view_response,
            "views.publish": self._view_response,
            "usergroups.users.list": self._usergroups_users_list,
            "reactions.add": lambda args: {"ok": True},
        }

    def respond(self, method: str, args: JsonDict) -> JsonDict:
        """Default response for ``method``; unknown methods succeed with ``{"ok": true}``."""
        handler = self.defaults.get(method)
        return handler(args) if handler is not None else {"ok": True}

    def next_ts(self) -> str:
        """Unique, strictly increasing message timestamp in Slack's ``seconds.micros`` format."""
        micros = next(self._ts_counter) * 100
        return f"{1700000000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def dm_channel_for(user_id: str) -> str:
        """Deterministic DM channel id, so tests can predict where a DM lands."""
        return f"D{user_id}"

    def _auth_test(self, args: JsonDict) -> JsonDict:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": "bravo",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: JsonDict) -> JsonDict:
        user = self.users.get(str(args.get("user", "")))
        return {"ok": True, "user": user} if user is not None else {"ok": False, "error": "user_not_found"}

    def _users_list(self, args: JsonDict) -> JsonDict:
        members, next_cursor = _page(list(self.users.values()), args)
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": next_cursor}}

    def _users_lookup_by_email(self, args: JsonDict) -> JsonDict:
        wanted = str(args.get("email", "")).lower()
        for user in self.users.values():
            if str(user.get("profile", {}).get("email", "")).lower() == wanted and wanted:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}

    def _conversations_open(self, args: JsonDict) -> JsonDict:
        if args.get("channel"):
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": str(args["channel"])}}
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel_id = self.dm_channel_for(users[0]) if len(users) == 1 else "G" + "".join(sorted(users))
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _conversations_members(self, args: JsonDict) -> JsonDict:
        members = self.channel_members.get(str(args.get("channel", "")))
        if members is None:
            return {"ok": False, "error": "channel_not_found"}
        chunk, next_cursor = _page(members, args)
        return {"ok": True, "members": chunk, "response_metadata": {"next_cursor": next_cursor}}

    def _usergroups_users_list(self, args: JsonDict) -> JsonDict:
        users = self.usergroups.get(str(args.get("usergroup", "")))
        if users is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(users)}

    def _message(self, args: JsonDict, ts: str) -> JsonDict:
        message: JsonDict = {
            "type": "message",
            "subtype": "bot_message",
            "text": args.get("text", ""),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "ts": ts,
            "team": TEAM_ID,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in args:
                message[key] = args[key]
        return message

    def _chat_post_message(self, args: JsonDict) -> JsonDict:
        channel = str(args.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not any(args.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        if channel[0] in "UW":  # posting to a user id lands in the app's DM with them
            channel = self.dm_channel_for(channel)
        ts = self.next_ts()
        message = self._message(args, ts)
        self.history.setdefault(channel, []).append((time.time(), message))
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _conversations_history(self, args: JsonDict) -> JsonDict:
        """Newest first, `oldest`/`latest` (compared with arrival times), cursor pages, metadata on request."""
        channel = str(args.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or math.inf)
        inclusive = _truthy(args.get("inclusive"))
        metadata = _truthy(args.get("include_all_metadata"))
        found = [
            {key: value for key, value in message.items() if metadata or key != "metadata"}
            for when, message in reversed(self.history.get(channel, []))
            if (oldest <= when <= latest if inclusive else oldest < when < latest)
        ]
        chunk, next_cursor = _page(found, args)
        return {
            "ok": True,
            "messages": chunk,
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _chat_update(self, args: JsonDict) -> JsonDict:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": args.get("text", ""),
            "message": self._message(args, ts),
        }

    def _views_open(self, args: JsonDict) -> JsonDict:
        if not args.get("trigger_id") and not args.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view_response(args)

    def _view_response(self, args: JsonDict) -> JsonDict:
        view = args.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = str(args.get("view_id") or f"V{next(self._view_counter):010d}")
        body: JsonDict = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"1700000000.{view_id[-8:]}",
            "title": view.get("title"),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "clear_on_close": False,
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        return {"ok": True, "view": body}
