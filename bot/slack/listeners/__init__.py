"""Bolt listeners, one module per kind of Slack request; each translates, runs a core use case, then answers."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.turn import SlackBot


def register_all(app: AsyncApp, bot: SlackBot) -> None:
    from bot.slack.listeners import commands, interactivity

    # Events (messages, reactions, App Home) do not go through Bolt: they are stored first (`bot.slack.events`).
    for module in (commands, interactivity):
        module.register(app, bot)
