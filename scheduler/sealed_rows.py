"""Sealed outbox rows as the worker sees them: who and what they carry, opened in memory with the secret key, and
what their failures may say.

A sealed row (`handlers.delivery.sealed_person_deliveries`) names its recipient and holds its card only in sealed
form, so that the outbox never says whom a message goes to (the "a manager replied" notice to the author of an
anonymous comment). The worker opens it here as it sends, deletes it once delivered (its ref, a direct message's
channel, would name the recipient), and records and logs its failures without the platform's reason, which can.
"""

from __future__ import annotations

from handlers.messages import Card
from handlers.sealing import open_payload, open_person
from scheduler.sending import DeliveryError
from storage.models import OutboxMessage

UNOPENED = "sealed with another secret key (rotated or lost): cannot be delivered"


def recipient(secret_key: str, row: OutboxMessage) -> int | None:
    """The person a row goes to: its `person_id`, or its sealed destination opened (None if it does not open)."""
    return open_person(secret_key, row.sealed_to) if row.sealed_to else row.person_id


def card(secret_key: str, row: OutboxMessage) -> Card:
    """The row's card; a sealed one opened with the key, or a permanent failure when it does not open."""
    payload = open_payload(secret_key, row.payload) if row.sealed_to else row.payload
    if payload is None:
        raise DeliveryError(UNOPENED, permanent=True)
    return Card.model_validate_json(payload)


def unopened(row: OutboxMessage, person_id: int | None) -> DeliveryError | None:
    """The failure of a sealed row whose destination did not open (the key changed since it was queued)."""
    return DeliveryError(UNOPENED, permanent=True) if row.sealed_to and person_id is None else None


def reason(row: OutboxMessage, error: DeliveryError) -> str:
    """What a failure records and logs: for a sealed row only whether it is retried, since a platform's reason can
    name the recipient (their conversation, their id)."""
    if not row.sealed_to or error.reason == UNOPENED:
        return error.reason
    kind = "permanent" if error.permanent else "transient"
    return f"{kind} failure (sealed destination: details withheld)"


def shown_ref(row: OutboxMessage, ref: str) -> str:
    """Where a delivery went, as a log line may say it."""
    return "its recipient" if row.sealed_to else ref
