"""Button presses and form submissions routed to their use case, the same on every platform."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from handlers.context import Context
from handlers.messages import Reply, reply

ActionHandler = Callable[[Context, str], Awaitable[Reply]]
FormHandler = Callable[[Context, Mapping[str, tuple[str, ...]], str], Awaitable[Reply]]


def kudos_actions() -> dict[str, ActionHandler]:
    from handlers.kudos import form as kudos_form

    return {kudos_form.OPEN_FORM_ACTION: kudos_form.open_form}


def kudos_forms() -> dict[str, FormHandler]:
    from handlers.kudos import form as kudos_form

    return {kudos_form.FORM_ACTION: kudos_form.submit_form}


def rewards_actions() -> dict[str, ActionHandler]:
    from handlers.rewards import commands as rewards_commands

    return rewards_commands.rewards_actions()


def pulse_actions() -> dict[str, ActionHandler]:
    from handlers import pulse

    return pulse.pulse_actions()


def pulse_forms() -> dict[str, FormHandler]:
    from handlers import pulse

    return pulse.pulse_forms()


def action_table() -> dict[str, ActionHandler]:
    """Every button's use case, keyed by `Choice.action`; each area contributes its own entries."""
    return {**kudos_actions(), **rewards_actions(), **pulse_actions()}


def form_table() -> dict[str, FormHandler]:
    """Every form's use case, keyed by `Form.action`; each area contributes its own entries."""
    return {**kudos_forms(), **pulse_forms()}


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
