"""Durable deliveries: the outbox drained by the senders, and the platform events already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, false
from sqlmodel import Field, SQLModel

from storage.models.base import optional_timestamp_field, timestamp_field

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
# Refused because Bravo's own credentials were (a revoked or rotated token), not because of the message: kept until
# an operator fixes the token and sends them again (`bravo outbox retry`).
HELD = "held"
# Not delivered, and may still be: whatever treats a message as sent (or as never to be sent) must skip these.
UNDELIVERED = (PENDING, HELD)


class OutboxMessage(SQLModel, table=True):
    """One message to deliver, committed with the change that caused it so nothing is lost on a crash."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    platform: str = Field(max_length=16)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    channel: str | None = Field(default=None, max_length=255)
    # A person only the sending code can name: their id sealed with the secret key (`handlers.sealing`), for a
    # message that must not say whom it goes to (the "a manager replied" notice to an anonymous comment's author).
    sealed_to: str | None = Field(default=None, max_length=255)
    payload: str = Field(sa_type=Text)
    status: str = Field(default=PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = timestamp_field()
    lease_until: datetime | None = optional_timestamp_field()
    # The process holding the lease (`scheduler.leases`), so a restart on the same machine can take it back at once.
    lease_owner: str | None = Field(default=None, max_length=255)
    # An earlier attempt may have reached the platform (a crash during it, a timeout): look before sending again.
    in_doubt: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    last_error: str | None = Field(default=None, max_length=500)
    dedupe_key: str | None = Field(default=None, max_length=255, unique=True)
    delivered_ref: str | None = Field(default=None, max_length=255)
    created_at: datetime = timestamp_field()
    sent_at: datetime | None = optional_timestamp_field()


class ProcessedEvent(SQLModel, table=True):
    """A platform delivery already handled (Slack event id, Teams activity id, interaction id)."""

    __tablename__ = "processed_event"

    key: str = Field(max_length=255, primary_key=True)
    created_at: datetime = timestamp_field(index=True)
