"""Slash commands (`/kudos`, `/pulse`, …): routed to the core's command table, answered in the acknowledgement.

The answer to a slash command is the body of Slack's 2xx, shown only to the person who typed it; so the kudos is
committed first and the confirmation rides on the acknowledgement itself. An answer longer than one message (an
admin's `/pulse results` over many teams) continues in numbered messages sent to the command's `response_url`
(Slack takes five there), then, past that, ephemerally in the channel. `/kudos @someone …` commands arriving
together are given in one transaction (`bot.batching`), which is what lets a burst be acknowledged quickly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import partial
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.batching import Batcher
from bot.slack.listeners.common import Answer, answer_for, open_modal, refusal, tell_pages
from bot.slack.people import Introduction
from bot.slack.render import message_pages
from bot.slack.turn import SlackBot, SlackTurn, TurnRequest
from handlers.i18n import Translator
from handlers.kudos import KudosText, give_from_texts, gives_kudos
from handlers.routing import run_command

log = logging.getLogger(__name__)
ANY_COMMAND = re.compile(r"^/\S+$")
RESPONSE_URL_USES = 5


def register(app: AsyncApp, bot: SlackBot) -> None:
    kudos_batches: Batcher[TurnRequest, Answer | None] = Batcher(partial(give_kudos_commands, bot))

    @app.command(ANY_COMMAND)
    async def on_command(
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        name = str(command.get("command", "")).lstrip("/")
        text = str(command.get("text", ""))
        user = str(command["user_id"])
        trigger_id = str(command.get("trigger_id", ""))

        async def use_case(turns: Sequence[SlackTurn]) -> list[Answer]:
            return [await answer_for(turn, await run_command(turn.ctx, name, turn.canonical(text))) for turn in turns]

        request = TurnRequest(
            user_id=user,
            texts=(text,),
            channel=command.get("channel_id"),
            event_key=f"slack:command:{trigger_id}" if trigger_id else None,
            bot_user_id=context.bot_user_id,
            channel_hint=command.get("channel_name"),
            introduced=Introduction.of_command(command),
        )
        try:
            if name == "kudos" and gives_kudos(text):
                answer = await kudos_batches.submit(request)
            else:
                (answer,) = await bot.run_many([request], use_case, refuse=refusal)
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
        first, *rest = message_pages(answer.reply.card)
        await ack(response_type=response_type, **first)
        for payload in rest[:RESPONSE_URL_USES]:
            try:
                await respond(response_type=response_type, replace_original=False, **payload)
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                log.warning("/%s: a continued answer was lost: %s", name, error)
        await tell_pages(client, user=user, channel=command.get("channel_id"), payloads=rest[RESPONSE_URL_USES:])


async def give_kudos_commands(bot: SlackBot, requests: list[TurnRequest]) -> list[Answer | None]:
    """A burst of `/kudos @someone …` commands, given together in one transaction (see `bot.batching`)."""

    async def use_case(turns: Sequence[SlackTurn]) -> list[Answer]:
        texts = [KudosText(turn.ctx, turn.canonical(turn.texts[0]), source="command") for turn in turns]
        outcomes = await give_from_texts(texts)
        return [
            Answer(reply=turn.noted(outcome.reply), t=turn.ctx.t) for turn, outcome in zip(turns, outcomes, strict=True)
        ]

    return await bot.run_many(requests, use_case, refuse=refusal)
