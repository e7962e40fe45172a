"""Builders for incoming Microsoft Teams activities, shaped like what Teams POSTs to a bot's messaging endpoint.

Shapes follow captured Teams payloads (cf. opsdroid's Teams connector fixtures and the Teams docs): ``from``
carries ``id``/``name``/``aadObjectId`` (the user's locale lives on the activity and its ``clientInfo`` entity),
channel posts carry ``<at>`` mention entities and ``channelData.team/channel/tenant``. Ids are derived from names
so the same person always gets the same ``29:`` id and AAD object id across a test.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

JsonDict = dict[str, Any]

BOT_ID = "28:00000000-0000-0000-0000-00000000b7a0"
BOT_NAME = "Bravo"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
TEAM_ID = "19:3c5d1e8a9b0f4e2d8a7c6b5a4f3e2d1c@thread.tacv2"
CHANNEL_ID = "19:9f8e7d6c5b4a4f3e8d2c1b0a9f8e7d6c@thread.tacv2"
GROUP_CHAT_ID = "19:meeting_5e4d3c2b1a0f@thread.v2"
TEAM_AAD_GROUP_ID = "0d3f1c8e-5b2a-4c7d-9e6f-1a2b3c4d5e6f"

_last_id = 0


def _digest(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _activity_id() -> str:
    """Teams-style id: epoch milliseconds, bumped when needed so ids stay unique and increasing."""
    global _last_id
    _last_id = max(_last_id + 1, int(datetime.now(UTC).timestamp() * 1000))
    return str(_last_id)


def teams_user(name: str = "Alice Smith", *, user_id: str | None = None, aad_object_id: str | None = None) -> JsonDict:
    """A ``from``/mention account: Teams ``29:`` id, display name and AAD object id."""
    return {
        "id": user_id or f"29:1{_digest(name)[:40]}",
        "name": name,
        "aadObjectId": aad_object_id or str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.aad")),
    }


def roster_member(
    name: str = "Alice Smith",
    *,
    email: str | None = None,
    user_role: str = "user",
    tenant_id: str = TENANT_ID,
    user_id: str | None = None,
    aad_object_id: str | None = None,
) -> JsonDict:
    """A ``TeamsChannelAccount`` as returned by the members APIs (for ``FakeBotConnector.members``)."""
    account = teams_user(name, user_id=user_id, aad_object_id=aad_object_id)
    given, _, surname = name.partition(" ")
    email = email or f"{name.lower().replace(' ', '.')}@acme.example"
    return {
        **account,
        "givenName": given,
        "surname": surname or None,
        "email": email,
        "userPrincipalName": email,
        "tenantId": tenant_id,
        "userRole": user_role,
    }


def bot_account() -> JsonDict:
    """The bot as it appears in ``recipient`` and mentions."""
    return {"id": BOT_ID, "name": BOT_NAME}


def mention(account: JsonDict) -> JsonDict:
    """A ``mention`` entity; its ``text`` must appear verbatim in the activity text."""
    return {
        "type": "mention",
        "text": f"<at>{account['name']}</at>",
        "mentioned": {"id": account["id"], "name": account["name"]},
    }


def _base(
    activity_type: str,
    *,
    service_url: str,
    from_user: JsonDict | None,
    conversation: JsonDict,
    channel_data: JsonDict,
    locale: str,
    timezone: str,
) -> JsonDict:
    return {
        "type": activity_type,
        "id": _activity_id(),
        "timestamp": _now(),
        "localTimestamp": _now(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": from_user or teams_user(),
        "conversation": conversation,
        "recipient": bot_account(),
        "entities": [
            {"type": "clientInfo", "locale": locale, "country": locale[-2:], "platform": "Web", "timezone": timezone}
        ],
        "channelData": channel_data,
        "locale": locale,
        "localTimezone": timezone,
    }


def _team_channel_data(team_id: str, channel_id: str, tenant_id: str, team_name: str) -> JsonDict:
    return {
        "teamsChannelId": channel_id,
        "teamsTeamId": team_id,
        "channel": {"id": channel_id},
        "team": {"id": team_id, "name": team_name, "aadGroupId": TEAM_AAD_GROUP_ID},
        "tenant": {"id": tenant_id},
    }


def _conversation(scope: str, tenant_id: str, conversation_id: str) -> JsonDict:
    conversation: JsonDict = {"conversationType": scope, "tenantId": tenant_id, "id": conversation_id}
    if scope != "personal":
        conversation["isGroup"] = True
    return conversation


def personal_conversation_id(user: JsonDict) -> str:
    """Deterministic ``a:...`` id of the bot's 1:1 chat with ``user``."""
    return f"a:1{_digest(str(user['id']))}"


def channel_message(
    text: str,
    *,
    service_url: str,
    from_user: JsonDict | None = None,
    mentions: Sequence[JsonDict] = (),
    mention_bot: bool = True,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    team_name: str = "Acme",
    tenant_id: str = TENANT_ID,
    locale: str = "en-US",
    timezone: str = "America/New_York",
) -> JsonDict:
    """A channel post; ``text`` should contain ``<at>Name</at>`` for each account in ``mentions``.

    With ``mention_bot`` the text is prefixed with ``<at>Bravo</at>`` and a bot mention entity is added,
    as Teams only delivers channel messages to bots that are @mentioned.
    """
    entities = [mention(a) for a in mentions]
    if mention_bot:
        text = f"<at>{BOT_NAME}</at> {text}"
        entities.insert(0, mention(bot_account()))
    activity = _base(
        "message",
        service_url=service_url,
        from_user=from_user,
        conversation=_conversation("channel", tenant_id, ""),
        channel_data=_team_channel_data(team_id, channel_id, tenant_id, team_name),
        locale=locale,
        timezone=timezone,
    )
    activity["conversation"]["id"] = f"{channel_id};messageid={activity['id']}"
    activity.update({"text": text, "textFormat": "plain"})
    activity["attachments"] = [{"contentType": "text/html", "content": f"<div><div>{text}</div></div>"}]
    activity["entities"] = entities + activity["entities"]
    return activity


def personal_message(
    text: str,
    *,
    service_url: str,
    from_user: JsonDict | None = None,
    mentions: Sequence[JsonDict] = (),
    tenant_id: str = TENANT_ID,
    locale: str = "en-US",
    timezone: str = "America/New_York",
) -> JsonDict:
    """A 1:1 chat message to the bot (no bot mention needed)."""
    user = from_user or teams_user()
    activity = _base(
        "message",
        service_url=service_url,
        from_user=user,
        conversation=_conversation("personal", tenant_id, personal_conversation_id(user)),
        channel_data={"tenant": {"id": tenant_id}},
        locale=locale,
        timezone=timezone,
    )
    activity.update({"text": text, "textFormat": "plain"})
    activity["entities"] = [mention(a) for a in mentions] + activity["entities"]
    return activity


def install_update(
    *,
    service_url: str,
    scope: Literal["team", "personal", "groupChat"] = "team",
    from_user: JsonDict | None = None,
    members_added: Sequence[JsonDict] | None = None,
    team_id: str = TEAM_ID,
    team_name: str = "Acme",
    tenant_id: str = TENANT_ID,
) -> JsonDict:
    """``conversationUpdate`` with ``membersAdded`` (the bot by default): the app was installed in ``scope``."""
    user = from_user or teams_user()
    if scope == "team":
        conversation = _conversation("channel", tenant_id, team_id)
        channel_data = {**_team_channel_data(team_id, team_id, tenant_id, team_name), "eventType": "teamMemberAdded"}
    elif scope == "groupChat":
        conversation = _conversation("groupChat", tenant_id, GROUP_CHAT_ID)
        channel_data = {"tenant": {"id": tenant_id}}
    else:
        conversation = _conversation("personal", tenant_id, personal_conversation_id(user))
        channel_data = {"tenant": {"id": tenant_id}}
    activity = _base(
        "conversationUpdate",
        service_url=service_url,
        from_user=user,
        conversation=conversation,
        channel_data=channel_data,
        locale="en-US",
        timezone="America/New_York",
    )
    activity["membersAdded"] = list(members_added) if members_added is not None else [{"id": BOT_ID}]
    del activity["entities"], activity["locale"], activity["localTimezone"], activity["localTimestamp"]
    return activity


def _reply_context(scope: Literal["personal", "channel"], user: JsonDict, tenant_id: str) -> tuple[JsonDict, JsonDict]:
    if scope == "channel":
        conversation = _conversation("channel", tenant_id, f"{CHANNEL_ID};messageid={_activity_id()}")
        return conversation, _team_channel_data(TEAM_ID, CHANNEL_ID, tenant_id, "Acme")
    return _conversation("personal", tenant_id, personal_conversation_id(user)), {"tenant": {"id": tenant_id}}


def card_action_invoke(
    verb: str,
    data: JsonDict | None = None,
    *,
    service_url: str,
    from_user: JsonDict | None = None,
    reply_to_id: str = "1700000000001",
    scope: Literal["personal", "channel"] = "personal",
    tenant_id: str = TENANT_ID,
    locale: str = "en-US",
) -> JsonDict:
    """``invoke`` ``adaptiveCard/action`` from an ``Action.Execute`` button (the bot must answer with 200)."""
    user = from_user or teams_user()
    conversation, channel_data = _reply_context(scope, user, tenant_id)
    activity = _base(
        "invoke",
        service_url=service_url,
        from_user=user,
        conversation=conversation,
        channel_data={**channel_data, "source": {"name": "message"}},
        locale=locale,
        timezone="America/New_York",
    )
    action = {"type": "Action.Execute", "title": verb, "verb": verb, "data": data or {}}
    activity.update(
        {"name": "adaptiveCard/action", "replyToId": reply_to_id, "value": {"action": action, "trigger": "manual"}}
    )
    return activity


def submit_message(
    value: JsonDict,
    *,
    service_url: str,
    from_user: JsonDict | None = None,
    reply_to_id: str = "1700000000001",
    scope: Literal["personal", "channel"] = "personal",
    tenant_id: str = TENANT_ID,
    locale: str = "en-US",
) -> JsonDict:
    """A ``message`` carrying ``value`` (card inputs merged with the button's data) from ``Action.Submit``."""
    user = from_user or teams_user()
    conversation, channel_data = _reply_context(scope, user, tenant_id)
    activity = _base(
        "message",
        service_url=service_url,
        from_user=user,
        conversation=conversation,
        channel_data={**channel_data, "source": {"name": "message"}, "legacy": {"replyToId": reply_to_id}},
        locale=locale,
        timezone="America/New_York",
    )
    activity.update({"replyToId": reply_to_id, "value": value})
    return activity
