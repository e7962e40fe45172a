"""Rows in doubt: an earlier attempt may have reached the platform (a crash before it was recorded, a timeout), so
a `RecoverableSender` is asked whether the message is already there before the outbox worker sends it again."""

from __future__ import annotations

import asyncio
import logging

from scheduler import sealed_rows
from scheduler.sending import DeliveryError, Destination, RecoverableSender
from storage.models import OutboxMessage

log = logging.getLogger("scheduler.outbox_worker")


async def already_delivered(
    sender: RecoverableSender, row: OutboxMessage, destination: Destination, address: str | None, *, timeout: float
) -> str | None:
    """The ref of this row's message if an earlier attempt delivered it; a sender that cannot tell for good
    (no permission to read the conversation) means sending again: better twice than never."""
    assert row.id is not None
    try:
        async with asyncio.timeout(timeout):
            return await sender.find_delivered(destination, address, row.id, since=row.created_at)
    except DeliveryError as error:
        if not error.permanent:
            raise
        reason = sealed_rows.reason(row, error)
        log.warning("delivery %s (%s) is in doubt and cannot be checked (%s): sent again", row.id, row.kind, reason)
        return None
    except TimeoutError:
        raise DeliveryError("timed out looking for an earlier delivery", permanent=False) from None
    except Exception as error:  # noqa: BLE001 - checked again at the next attempt
        log.exception("looking for delivery %s crashed", row.id)
        raise DeliveryError(repr(error)[:300], permanent=False) from error
