"""What the outbox worker needs from a platform: the `Sender` protocol it calls, where a delivery goes, and how a
delivery fails.

The scheduler owns these because the outbox worker is what calls senders; each platform adapter implements them
(`bot/slack/sender.py`, `bot/teams/sender.py`, `bot/console/sender.py`) and the core never sees them.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from handlers.messages import Card, Neutral
from storage.models import Person


class Destination(Neutral):
    """Where a delivery goes: a person's direct messages, or a channel on one platform."""

    platform: Literal["slack", "teams", "console"]
    person_id: int | None = None
    channel: str | None = None


# A platform's `Retry-After` is honoured within these bounds: `0` would make a tight loop of calls, and a value of
# days (or `nan`, `inf`, a negative) is not a pause any platform means; those fall back to the worker's backoff.
MIN_RETRY_AFTER_SECONDS = 1.0
MAX_RETRY_AFTER_SECONDS = 900.0


def sane_retry_after(value: float | None) -> float | None:
    """A platform's `Retry-After` in seconds, raised to one second; None (use backoff) when missing or absurd."""
    if value is None or not math.isfinite(value) or value < 0 or value > MAX_RETRY_AFTER_SECONDS:
        return None
    return max(value, MIN_RETRY_AFTER_SECONDS)


class DeliveryError(Exception):
    """A delivery failed; `permanent` ones are recorded and never retried. `retry_after` is always sane.

    `held`: the platform refused Bravo's own credentials (a revoked token, a rotation under way), so nothing is wrong
    with the message itself: it is kept, not failed, until an operator fixes the token and sends it again.
    """

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None, held: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent and not held
        self.retry_after = sane_retry_after(retry_after)
        self.held = held


class Sender(Protocol):
    """A platform adapter's way to deliver a card; raises `DeliveryError` when it cannot.

    Optionally, `workspace` (a string: the workspace or tenant it delivers to, paced on its own) and `async aclose()`
    (what it keeps open between deliveries, such as pooled connections, closed by `OutboxWorker.aclose`).
    """

    platform: str

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        """Deliver `card`; `address` is the platform's id for the person or channel. Returns a message ref."""
        ...


@runtime_checkable
class RecoverableSender(Sender, Protocol):
    """Optional for a `Sender`: tag each delivery with a marker and find it again after a crash.

    A process can die after the platform accepted a message and before the outbox recorded it as sent; the platform
    has no idempotency key, so sending again would show it twice. A sender that implements this lets the outbox
    worker ask first, for a delivery in that doubt, whether the message is already there. Senders without it are
    sent again (at least once).
    """

    async def send(
        self, destination: Destination, card: Card, *, address: str | None, marker: int | None = None
    ) -> str | None:
        """As `Sender.send`, the message carrying `marker` (the outbox row's id) where `find_delivered` can see it."""
        ...

    async def find_delivered(
        self, destination: Destination, address: str | None, marker: int, *, since: datetime
    ) -> str | None:
        """The ref of a message sent with `marker` no earlier than `since`, else None; `DeliveryError` when the
        platform cannot tell now (transient) or at all (permanent)."""
        ...


def workspace_of(sender: Sender) -> str | None:
    """The workspace or tenant a sender delivers to, when it says (`workspace`): each one is paced on its own."""
    workspace = getattr(sender, "workspace", None)
    return workspace if isinstance(workspace, str) and workspace else None


def address_for(platform: str, person: Person | None, channel: str | None) -> str | None:
    """The platform's id for a delivery: the person's id on that platform (also for a message shown to them alone in
    a channel, which their sender reads from the destination), else the channel."""
    if person is None:
        return channel or None
    return {"slack": person.slack_id, "teams": person.teams_id}.get(platform) or str(person.id)
