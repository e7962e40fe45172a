"""Typed commands (`/help`, `/kudos …`), buttons and forms routed to their feature, the same on every platform."""

from __future__ import annotations

from collections.abc import Mapping

from handlers import actions, kudos, pulse, rewards
from handlers.context import Context
from handlers.i18n import Translator
from handlers.messages import Card, FieldItem, Line, Reply, Section, reply
from handlers.policy import Policy
from handlers.routes import ActionHandler, CommandHandler, FormHandler, Routes
from handlers.spelling import closest

FEATURES: tuple[Routes, ...] = (kudos.ROUTES, pulse.ROUTES, rewards.ROUTES, actions.ROUTES)


def command_lines(t: Translator, policy: Policy) -> list[tuple[str, str]]:
    """(usage, what it does) for every command a person can type."""
    return [
        ("/help", t("show this list")),
        (
            t("/kudos @name [points] reason #value"),
            t("recognise colleagues ({allowance} points a day to give)", allowance=policy.daily_allowance),
        ),
        ("/kudos", t("open the kudos form")),
        (t("/kudos leaderboard [week|month|quarter|all]"), t("teams and people recognised the most")),
        ("/kudos me", t("kudos you received and gave, and what you have left to give today")),
        ("/kudos help", t("every way to give kudos, and the rules")),
        ("/kudos privacy", t("what Bravo stores about you and why")),
        ("/pulse", t("answer your open pulse questions")),
        ("/pulse results", t("pulse results of the teams you manage")),
        ("/rewards", t("your team's collective goal: see it, vote for the reward, propose one")),
    ]


def help_reply(t: Translator, policy: Policy) -> Reply:
    """The `/help` card: every command, in the reader's language."""
    values = " ".join(f"#{value}" for value in policy.company_values)
    fields = tuple(FieldItem(label=usage, value=Line.of(meaning)) for usage, meaning in command_lines(t, policy))
    card = Card(
        title=t("Bravo: recognise your colleagues, tell us how it's going"),
        sections=(Section(fields=fields),),
        context=(Line.of(t("Company values: {values}", values=values)),),
        summary=t("Bravo commands"),
    )
    return Reply(card=card)


async def _help(ctx: Context, _text: str) -> Reply:
    return help_reply(ctx.t, ctx.policy)


def command_table() -> dict[str, CommandHandler]:
    """Every top-level command: `/help` and each feature's own."""
    table: dict[str, CommandHandler] = {"help": _help}
    for routes in FEATURES:
        table.update(routes.commands)
    table["pulse"] = actions.with_commitments(table["pulse"])
    return table


def action_table() -> dict[str, ActionHandler]:
    """Every button's use case, keyed by `Choice.action`; each feature contributes its own entries."""
    return {action: handler for routes in FEATURES for action, handler in routes.actions.items()}


def form_table() -> dict[str, FormHandler]:
    """Every form's use case, keyed by `Form.action`; each feature contributes its own entries."""
    return {action: handler for routes in FEATURES for action, handler in routes.forms.items()}


def split_command(line: str) -> tuple[str, str]:
    """`/kudos @bob thanks` -> (`kudos`, `@bob thanks`); a line without a slash is not a command."""
    stripped = line.strip()
    if not stripped.startswith("/"):
        return "", stripped
    name, _, rest = stripped[1:].partition(" ")
    return name.lower(), rest.strip()


async def run_command(ctx: Context, name: str, text: str) -> Reply:
    """Answer a command; an unknown one gets the nearest command's name, or a friendly pointer to `/help`."""
    table = command_table()
    handler = table.get(name.lower().lstrip("/"))
    if handler is not None:
        return await handler(ctx, text)
    suggestion = closest(name, table)
    if suggestion:
        return reply(
            ctx.t("I don't know the command /{name}. Did you mean /{suggestion}?", name=name, suggestion=suggestion)
        )
    return reply(ctx.t("I don't know the command /{name}. Type /help to see what I can do.", name=name))


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
