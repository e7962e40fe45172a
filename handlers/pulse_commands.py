"""`/pulse …`: answering pulse checks and reading their results."""

from __future__ import annotations

from handlers.context import Context
from handlers.help import help_reply
from handlers.messages import Reply


async def handle(ctx: Context, text: str) -> Reply:
    return help_reply(ctx.t, ctx.policy)
