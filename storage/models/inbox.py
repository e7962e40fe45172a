"""The events inbox: platform deliveries committed before they are acknowledged, processed afterwards by workers.

Slack resends an event only when it got no 200; answering 200 first and processing later loses the event on a crash.
Bravo commits the verified delivery here, answers, and its workers process the row through the event handlers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from storage.models.base import optional_timestamp_field, timestamp_field

INBOX_PENDING = "pending"
INBOX_DONE = "done"
# Failed too many times: kept with its error, shown by `bravo status` and `/metrics`, replayed by `bravo inbox replay`.
INBOX_PARKED = "parked"


class InboxEvent(SQLModel, table=True):
    """One acknowledged delivery (a Slack event), unique by its delivery id so a resend is stored once."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(max_length=255, unique=True)
    platform: str = Field(max_length=16)
    body: str = Field(sa_type=Text)
    status: str = Field(default=INBOX_PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = timestamp_field()
    lease_until: datetime | None = optional_timestamp_field()
    lease_owner: str | None = Field(default=None, max_length=255)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field()
    finished_at: datetime | None = optional_timestamp_field(index=True)
