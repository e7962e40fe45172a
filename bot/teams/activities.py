"""Reading what Bravo needs from an incoming Teams activity: where it came from, who it mentions, what it submits."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botbuilder.schema import Activity, ChannelAccount

from bot.teams.layout import ACTION_KEY, PICK_KEY, PICK_PREFIX, VALUE_KEY
from bot.teams.mentions import MentionEntity
from bot.teams.render import FORM_KEY, INPUT_PREFIX, METADATA_KEY, MULTI_PREFIX, PEOPLE_PREFIX, RENDERING_KEY

PERSONAL = "personal"
CHANNEL = "channel"
GROUP_CHAT = "groupChat"
# `channelData.channel.type` of a channel whose members are chosen people, not the whole team.
RESTRICTED_CHANNELS = frozenset({"private", "shared"})


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def conversation_scope(activity: Activity) -> str:
    """`personal`, `channel` or `groupChat`."""
    conversation = activity.conversation
    scope = getattr(conversation, "conversation_type", None) if conversation else None
    if scope in (PERSONAL, CHANNEL, GROUP_CHAT):
        return str(scope)
    if _channel_data(activity).get("team"):
        return CHANNEL
    return GROUP_CHAT if conversation is not None and conversation.is_group else PERSONAL


def channel_type(activity: Activity) -> str | None:
    """`standard`, `private` or `shared`: what Teams says of a team channel (`channelData.channel.type`, sent with
    activities from channels since bots can be added to private and shared ones); None when it does not say."""
    channel = _channel_data(activity).get("channel")
    kind = channel.get("type") if isinstance(channel, dict) else None
    return kind.lower() if isinstance(kind, str) and kind else None


def kept_private(activity: Activity) -> bool:
    """Whether what is said here is for its members only: a group chat, a private or a shared channel. A kudos given
    there still reaches its recipients, but is not re-posted in the recognition channel (like Slack's private channels
    and group DMs). A channel Teams does not describe is a standard one (Slack's rule too: without a hint, announce)."""
    scope = conversation_scope(activity)
    return scope == GROUP_CHAT or (scope == CHANNEL and channel_type(activity) in RESTRICTED_CHANNELS)


def base_conversation_id(activity: Activity) -> str:
    """The conversation without its thread suffix: a channel post's `;messageid=…` would make replies land in it."""
    conversation_id = str(activity.conversation.id if activity.conversation else "")
    return conversation_id.split(";", 1)[0]


def tenant_id(activity: Activity) -> str | None:
    conversation = activity.conversation
    tenant = getattr(conversation, "tenant_id", None) if conversation else None
    data_tenant = _channel_data(activity).get("tenant")
    if not tenant and isinstance(data_tenant, dict):
        tenant = data_tenant.get("id")
    return str(tenant) if tenant else None


def team_id(activity: Activity) -> str | None:
    team = _channel_data(activity).get("team")
    return str(team["id"]) if isinstance(team, dict) and team.get("id") else None


def bot_id(activity: Activity) -> str | None:
    return activity.recipient.id if activity.recipient else None


def aad_object_id(account: ChannelAccount | None) -> str | None:
    if account is None:
        return None
    value = account.aad_object_id or (account.additional_properties or {}).get("aadObjectId")
    return str(value) if value else None


def event_key(activity: Activity) -> str:
    """The idempotency key of one delivery: Teams resends an activity with the same id when it got no answer."""
    where = hashlib.sha1(base_conversation_id(activity).encode()).hexdigest()[:12]
    return f"teams:{activity.id}:{where}"


def locale_of(activity: Activity) -> str | None:
    """The sender's Teams locale: the activity's, else its `clientInfo` entity's (e.g. `fr-FR`)."""
    if activity.locale:
        return str(activity.locale)
    for entity in activity.entities or []:
        if str(entity.type or "") == "clientInfo":
            locale = (entity.additional_properties or {}).get("locale")
            if isinstance(locale, str) and locale:
                return locale
    return None


def mention_entities(activity: Activity) -> list[MentionEntity]:
    """The activity's `mention` entities that name an account, in order."""
    found: list[MentionEntity] = []
    for entity in activity.entities or []:
        if str(entity.type or "").lower() != "mention":
            continue
        properties = entity.additional_properties or {}
        mentioned = properties.get("mentioned") or {}
        if not isinstance(mentioned, dict) or not mentioned.get("id"):
            continue
        if str(mentioned.get("type") or "person").lower() != "person" or str(mentioned["id"]).startswith("19:"):
            continue  # a tag, channel or team mention: it stays plain text
        name = str(mentioned.get("name") or "")
        text = str(properties.get("text") or f"<at>{name}</at>")
        found.append(MentionEntity(text=text, account_id=str(mentioned["id"]), name=name))
    return found


@dataclass(frozen=True)
class Submission:
    """A card's button or form, from `Action.Submit` (message `value`) or `Action.Execute` (invoke)."""

    action: str = ""
    value: str = ""
    form: str = ""
    metadata: str = ""
    inputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    people_inputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    card_id: str | None = None
    rendering: str = ""

    def fingerprint(self, key: bytes) -> str:
        """Equal for a card submitted twice with the same values; keyed, because the values can hold a pulse ballot
        token and its answer, and the stored fingerprint must not let anyone recover them."""
        content = [self.action, self.value, self.form, self.metadata, sorted(self.inputs.items()), self.rendering]
        content.append(sorted(self.people_inputs.items()))
        return hmac.new(key, json.dumps(content, default=list).encode(), hashlib.sha256).hexdigest()[:32]


def _split(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(item).strip() for item in value if str(item).strip())
    text = "" if value is None else str(value)
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _chosen(data: Mapping[str, Any]) -> str:
    """A button's own value; for the button under a list of choices (`layout`), the choice picked in that list."""
    pick = data.get(PICK_KEY)
    if VALUE_KEY not in data and isinstance(pick, str) and pick.startswith(PICK_PREFIX):
        picked = data.get(pick)
        return picked.strip() if isinstance(picked, str) else ""
    return str(data.get(VALUE_KEY) or "")


def parse_submission(data: Any, *, verb: str | None = None, card_id: str | None = None) -> Submission | None:
    """The Bravo submission in a card's data (buttons carry an action, forms their form), or None."""
    if not isinstance(data, dict):
        return None
    inputs: dict[str, tuple[str, ...]] = {}
    people: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        if key.startswith(PEOPLE_PREFIX):
            people[key.removeprefix(PEOPLE_PREFIX)] = _split(value)
        elif key.startswith(MULTI_PREFIX):
            inputs[key.removeprefix(MULTI_PREFIX)] = _split(value)
        elif key.startswith(INPUT_PREFIX):
            text = "" if value is None else str(value)
            inputs[key.removeprefix(INPUT_PREFIX)] = (text,) if text.strip() else ()
    form = str(data.get(FORM_KEY) or "")
    action = str(data.get(ACTION_KEY) or (verb if verb and verb != FORM_KEY and not form else "") or "")
    if not form and not action:
        return None
    return Submission(
        action=action,
        value=_chosen(data),
        form=form,
        metadata=str(data.get(METADATA_KEY) or ""),
        inputs=inputs,
        people_inputs=people,
        card_id=card_id,
        rendering=str(data.get(RENDERING_KEY) or ""),
    )
