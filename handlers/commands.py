"""Typed commands (`/help`, `/kudos …`, `/pulse …`) routed to their use case, the same on every platform."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.context import Context
from handlers.help import help_reply
from handlers.messages import Reply, reply

CommandHandler = Callable[[Context, str], Awaitable[Reply]]


async def _help(ctx: Context, _text: str) -> Reply:
    return help_reply(ctx.t, ctx.policy)


def command_table() -> dict[str, CommandHandler]:
    """Every top-level command; imported lazily so each use case module stays independent."""
    from handlers.kudos import commands as kudos_commands
    from handlers.pulse import commands as pulse_commands
    from handlers.rewards import commands as rewards_commands

    return {
        "help": _help,
        "kudos": kudos_commands.handle,
        "pulse": pulse_commands.handle,
        "rewards": rewards_commands.handle,
    }


def split_command(line: str) -> tuple[str, str]:
    """`/kudos @bob thanks` -> (`kudos`, `@bob thanks`); a line without a slash is not a command."""
    stripped = line.strip()
    if not stripped.startswith("/"):
        return "", stripped
    name, _, rest = stripped[1:].partition(" ")
    return name.lower(), rest.strip()


async def run_command(ctx: Context, name: str, text: str) -> Reply:
    """Answer a command; an unknown one gets a friendly pointer to `/help`."""
    handler = command_table().get(name.lower().lstrip("/"))
    if handler is None:
        return reply(ctx.t("I don't know the command /{name}. Type /help to see what I can do.", name=name))
    return await handler(ctx, text)
