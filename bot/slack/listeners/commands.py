"""Slash commands (`/kudos`, `/pulse`, …): routed to the core's command table, answered in the acknowledgement.

The answer to a slash command is the body of Slack's 2xx, shown only to the person who typed it; so the kudos is
committed first and the confirmation rides on the acknowledgement itself.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.listeners.common import Answer, answer_for, open_modal
from bot.slack.render import message_payload
from bot.slack.turn import SlackBot, SlackTurn
from handlers.commands import run_command
from handlers.i18n import Translator

log = logging.getLogger(__name__)
ANY_COMMAND = re.compile(r"^/\S+$")


def register(app: AsyncApp, bot: SlackBot) -> None:
    @app.command(ANY_COMMAND)
    async def on_command(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        name = str(command.get("command", "")).lstrip("/")
        text = str(command.get("text", ""))
        user = str(command["user_id"])
        trigger_id = str(command.get("trigger_id", ""))

        async def use_case(turn: SlackTurn) -> Answer:
            return await answer_for(turn, await run_command(turn.ctx, name, turn.canonical(text)))

        try:
            answer = await bot.run(
                user_id=user,
                use_case=use_case,
                texts=[text],
                channel=command.get("channel_id"),
                event_key=f"slack:command:{trigger_id}" if trigger_id else None,
                bot_user_id=context.bot_user_id,
            )
        except Exception:
            log.exception("/%s failed", name)
            t = Translator(bot.runtime.policy.language)
            await ack(text=t("Sorry, something went wrong and nothing was saved. Please try again."))
            return
        if answer is None:
            await ack()
            return
        if answer.reply.form is not None:
            await ack()
            await open_modal(client, trigger_id, answer)
            return
        if answer.reply.card is None:
            await ack()
            return
        response_type = "in_channel" if answer.reply.public else "ephemeral"
        await ack(response_type=response_type, **message_payload(answer.reply.card))
