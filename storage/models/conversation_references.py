"""Microsoft Teams conversation references: kept in the database so proactive messages survive restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from storage.models.base import timestamp_field

PERSONAL = "personal"
CHANNEL = "channel"
MEMBER = "member"


class TeamsConversation(SQLModel, table=True):
    """Where Bravo can write in Teams: a person's 1:1 chat, a channel or group chat, or a team a person belongs to.

    `kind` is `personal` (the bot's 1:1 chat with `person_id`), `channel` (a channel or group chat, by conversation
    id) or `member` (a team's reference for `person_id`, from which a 1:1 chat can be created). `reference` holds the
    Bot Framework conversation reference as JSON; `key` makes each of them unique.
    """

    __tablename__ = "teams_conversation"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=320, unique=True)
    kind: str = Field(max_length=16)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    conversation_id: str = Field(max_length=255, index=True)
    team_id: str | None = Field(default=None, max_length=255)
    tenant_id: str | None = Field(default=None, max_length=64)
    service_url: str = Field(max_length=255)
    reference: str = Field(sa_type=Text)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
