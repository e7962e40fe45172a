"""Side effects that must happen once per delivery, for use cases whose result is not keyed by itself.

A kudos carries its own idempotency key; proposing a reward or sending an anonymous reply does not. Slack redelivers
a slash command or a modal submission with the same trigger or view id (the adapter's `ctx.event_key`), so these
use cases claim `<what>:<event key>` in their own transaction: a redelivery finds it taken and changes nothing.
"""

from __future__ import annotations

from handlers.context import Context
from storage.events import claim_event


async def first_time(ctx: Context, what: str) -> bool:
    """True unless this very delivery already did `what`; always True without an event key (the console)."""
    if not ctx.event_key:
        return True
    return await claim_event(ctx.session, key=f"{what}:{ctx.event_key}")
