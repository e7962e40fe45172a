"""Signed HTTP requests exactly as Slack sends them to an app's Request URL.

Builders return ``(body, content_type)``: Events API envelopes are JSON, slash commands are form bodies,
and interactivity is a form body with a single ``payload=<json>`` field. Sign with the app's signing
secret and send with :func:`post_signed` to drive Bravo's HTTP endpoint (or Bolt) end to end.
Field names follow real captured payloads (opsdroid's Slack connector fixtures, Bolt's tests).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.fakes.slack_events import (
    DEFAULT_BOT_USER,
    DEFAULT_TEAM,
    app_home_opened_event,
    app_mention_event,
    message_event,
    new_ts,
    reaction_added_event,
    rich_text_blocks,
)

__all__ = [
    "FORM",
    "JSON",
    "app_home_opened_event",
    "app_mention_event",
    "block_actions",
    "event_callback",
    "event_envelope",
    "interaction",
    "message_action",
    "message_event",
    "post_signed",
    "reaction_added_event",
    "rich_text_blocks",
    "sign",
    "slash_command",
    "url_verification",
    "view_submission",
]

JsonDict = dict[str, Any]
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

API_APP_ID = "A1"
TEAM_DOMAIN = "acme"
VERIFICATION_TOKEN = "legacy-verification-token"


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers: HMAC-SHA256 of ``v0:{ts}:{body}`` keyed by the signing secret."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def _trigger_id() -> str:
    return f"{int(time.time() * 1000)}.1761091294307.{uuid.uuid4().hex}"


def _user(user_id: str, user_name: str, team_id: str) -> JsonDict:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def slash_command(
    command: str = "/kudos",
    text: str = "",
    *,
    user_id: str = "U1",
    user_name: str = "alice",
    channel_id: str = "C1",
    channel_name: str = "general",
    team_id: str = DEFAULT_TEAM,
    team_domain: str = TEAM_DOMAIN,
    trigger_id: str | None = None,
    response_url: str | None = None,
    api_app_id: str = API_APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> tuple[str, str]:
    """Form body of a slash command invocation (``text`` carries mentions as ``<@U2|bob>``)."""
    fields = {
        "token": token,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url or f"https://hooks.slack.com/commands/{team_id}/1/{uuid.uuid4().hex[:24]}",
        "trigger_id": trigger_id or _trigger_id(),
    }
    return urlencode(fields), FORM


def event_envelope(
    event: JsonDict,
    *,
    team_id: str = DEFAULT_TEAM,
    api_app_id: str = API_APP_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    bot_user_id: str = DEFAULT_BOT_USER,
    token: str = VERIFICATION_TOKEN,
) -> JsonDict:
    """The ``event_callback`` wrapper as a dict (``event_id`` is what retries are de-duplicated on)."""
    context = {"et": event.get("type"), "tid": team_id, "aid": api_app_id, "cid": event.get("channel")}
    encoded = base64.urlsafe_b64encode(json.dumps(context).encode()).decode().rstrip("=")
    return {
        "token": token,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{encoded}",
    }


def event_callback(event: JsonDict, **envelope: Any) -> tuple[str, str]:
    """JSON body of an Events API delivery; ``envelope`` kwargs go to :func:`event_envelope`."""
    return json.dumps(event_envelope(event, **envelope)), JSON


def url_verification(challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P") -> tuple[str, str]:
    """The one-off handshake Slack sends when the Request URL is saved."""
    return json.dumps({"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}), JSON


def interaction(payload: JsonDict) -> tuple[str, str]:
    """Any interactivity payload, form-encoded as ``payload=<json>`` like Slack does."""
    return urlencode({"payload": json.dumps(payload)}), FORM


def block_actions(
    action_id: str,
    value: str | None = None,
    *,
    block_id: str = "actions",
    user_id: str = "U1",
    user_name: str = "alice",
    team_id: str = DEFAULT_TEAM,
    channel_id: str = "C1",
    channel_name: str = "general",
    message: JsonDict | None = None,
    view: JsonDict | None = None,
    state_values: JsonDict | None = None,
    trigger_id: str | None = None,
    response_url: str | None = None,
) -> tuple[str, str]:
    """A button click; from a message by default, or from a modal/Home tab when ``view`` is given."""
    action: JsonDict = {
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": "Button", "emoji": True},
        "type": "button",
        "action_ts": new_ts(),
    }
    if value is not None:
        action["value"] = value
    payload: JsonDict = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or _trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
        payload["view"] = view
    else:
        msg = message or {"type": "message", "user": DEFAULT_BOT_USER, "bot_id": "BBOT", "text": "", "ts": new_ts()}
        payload["container"] = {
            "type": "message",
            "message_ts": msg["ts"],
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": channel_name}
        payload["message"] = msg
        payload["response_url"] = response_url or f"https://hooks.slack.com/actions/{team_id}/1/{uuid.uuid4().hex[:24]}"
    payload["state"] = {"values": state_values or {}}
    payload["actions"] = [action]
    return interaction(payload)


def view_submission(
    callback_id: str,
    values: JsonDict,
    *,
    private_metadata: str = "",
    view_id: str = "V0000000001",
    user_id: str = "U1",
    user_name: str = "alice",
    team_id: str = DEFAULT_TEAM,
    blocks: list[JsonDict] | None = None,
) -> tuple[str, str]:
    """A modal submit; ``values`` is ``state.values``: ``{block_id: {action_id: {"type": ..., "value": ...}}}``."""
    view: JsonDict = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": values},
        "hash": "1700000000.AbCdEf12",
        "title": {"type": "plain_text", "text": "Bravo", "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": API_APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": "BBOT",
    }
    return interaction(
        {
            "type": "view_submission",
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": _user(user_id, user_name, team_id),
            "api_app_id": API_APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": _trigger_id(),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )


def message_action(
    callback_id: str,
    message: JsonDict | None = None,
    *,
    user_id: str = "U1",
    user_name: str = "alice",
    team_id: str = DEFAULT_TEAM,
    channel_id: str = "C1",
    channel_name: str = "general",
) -> tuple[str, str]:
    """A message shortcut (e.g. "Give kudos for this message"); defaults to a message by U2."""
    msg = message or message_event("Shipped the release!", user="U2", channel=channel_id)
    msg = {k: v for k, v in msg.items() if k not in ("channel", "event_ts", "channel_type")}
    return interaction(
        {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": new_ts(),
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": _user(user_id, user_name, team_id),
            "channel": {"id": channel_id, "name": channel_name},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": _trigger_id(),
            "response_url": f"https://hooks.slack.com/app/{team_id}/1/{uuid.uuid4().hex[:24]}",
            "message_ts": msg["ts"],
            "message": msg,
        }
    )


async def post_signed(
    session: aiohttp.ClientSession,
    url: str,
    body: str,
    content_type: str,
    secret: str,
    retry_num: int | None = None,
    retry_reason: str | None = None,
    timestamp: int | None = None,
) -> tuple[int, str]:
    """POST ``body`` signed like Slack, optionally as a retry (``X-Slack-Retry-Num``/``-Reason``)."""
    headers = {"Content-Type": content_type, **sign(body, secret, timestamp)}
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
    elif retry_reason is not None:
        headers["X-Slack-Retry-Reason"] = retry_reason
    async with session.post(url, data=body.encode(), headers=headers) as response:
        return response.status, await response.text()
