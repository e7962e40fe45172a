"""Button presses and form submissions routed to their use case, the same on every platform."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from handlers.context import Context
from handlers.messages import Reply, reply

ActionHandler = Callable[[Context, str], Awaitable[Reply]]
FormHandler = Callable[[Context, Mapping[str, tuple[str, ...]], str], Awaitable[Reply]]


def action_table() -> dict[str, ActionHandler]:
    """Every button's use case, keyed by `Choice.action`."""
    return {}


def form_table() -> dict[str, FormHandler]:
    """Every form's use case, keyed by `Form.action`."""
    return {}


async def run_action(ctx: Context, action: str, value: str) -> Reply:
    handler = action_table().get(action)
    if handler is None:
        return reply(ctx.t("That button is no longer available."))
    return await handler(ctx, value)


async def submit_form(ctx: Context, action: str, values: Mapping[str, tuple[str, ...]], metadata: str) -> Reply:
    handler = form_table().get(action)
    if handler is None:
        return reply(ctx.t("That form is no longer available."))
    return await handler(ctx, values, metadata)
