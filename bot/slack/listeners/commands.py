"""Slash commands (`/kudos`, `/pulse`, …): routed to the core's command table, answered in the acknowledgement.

The answer to a slash command is the body of Slack's 2xx, shown only to the person who typed it; so the kudos is
committed first and the confirmation rides on the acknowledgement itself. An answer longer than one message (an
admin's `/pulse results` over many teams) continues in numbered messages sent to the command's `response_url`
(Slack takes five there), then, past that, ephemerally in the channel. `/kudos @someone …` commands arriving
together are given in one transaction (`bot.batching`), which is what lets a burst be acknowledged quickly. A
result not ready within 2.5 s (Slack waits 3 s) is announced as "working on it" and sent to `response_url` once
committed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.batching import Batcher
from bot.slack.listeners.common import Answer, answer_for, open_modal, refusal, tell_pages
from bot.slack.render import message_pages
from bot.slack.turn import SlackBot, SlackTurn, TurnRequest
from handlers.i18n import Translator
from handlers.kudos import KudosText, give_from_texts, gives_kudos
from handlers.routing import run_command

log = logging.getLogger(__name__)
ANY_COMMAND = re.compile(r"^/\S+$")
RESPONSE_URL_USES = 5
# Slack shows an error when a command is not answered within 3 s: past this, say "working on it" and follow up.
ANSWER_WITHIN_SECONDS = 2.5


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
        )

        async def compute() -> Answer | None:
            if name == "kudos" and gives_kudos(text):
                return await kudos_batches.submit(request)
            (answer,) = await bot.run_many([request], use_case, refuse=refusal)
            return answer

        where = Answering(client, ack, respond, name, trigger_id, user, command.get("channel_id"))
        await where.answer(asyncio.ensure_future(compute()), Translator(bot.runtime.policy.language))


@dataclass(frozen=True)
class Answering:
    """Where a command's answer goes: in the acknowledgement when it is ready within `ANSWER_WITHIN_SECONDS`; else
    the acknowledgement says "working on it" and the answer follows at `response_url` (the work, a kudos included,
    is committed either way before anything says it was done)."""

    client: AsyncWebClient
    ack: AsyncAck
    respond: AsyncRespond
    name: str
    trigger_id: str
    user: str
    channel: str | None

    async def answer(self, work: asyncio.Future[Answer | None], t: Translator) -> None:
        done, _ = await asyncio.wait({work}, timeout=ANSWER_WITHIN_SECONDS)
        late = not done
        if late:
            await self.ack(text=t("Working on it…"))
        try:
            answer = await work
        except Exception:
            log.exception("/%s failed", self.name)
            sorry = t("Sorry, something went wrong and nothing was saved. Please try again.")
            await (self.respond(text=sorry, response_type="ephemeral") if late else self.ack(text=sorry))
            return
        await self.show(answer, late=late)

    async def show(self, answer: Answer | None, *, late: bool) -> None:
        if answer is None or answer.reply.card is None or answer.reply.form is not None:
            if not late:
                await self.ack()
            if answer is not None and answer.reply.form is not None:
                await open_modal(self.client, self.trigger_id, answer)
            return
        response_type = "in_channel" if answer.reply.public else "ephemeral"
        pages = message_pages(answer.reply.card)
        if not late:
            await self.ack(response_type=response_type, **pages[0])
            pages = pages[1:]
        for payload in pages[:RESPONSE_URL_USES]:
            try:
                await self.respond(response_type=response_type, replace_original=False, **payload)
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                log.warning("/%s: a continued answer was lost: %s", self.name, error)
        await tell_pages(self.client, user=self.user, channel=self.channel, payloads=pages[RESPONSE_URL_USES:])


async def give_kudos_commands(bot: SlackBot, requests: list[TurnRequest]) -> list[Answer | None]:
    """A burst of `/kudos @someone …` commands, given together in one transaction (see `bot.batching`)."""

    async def use_case(turns: Sequence[SlackTurn]) -> list[Answer]:
        texts = [KudosText(turn.ctx, turn.canonical(turn.texts[0]), source="command") for turn in turns]
        outcomes = await give_from_texts(texts)
        return [
            Answer(reply=turn.noted(outcome.reply), t=turn.ctx.t) for turn, outcome in zip(turns, outcomes, strict=True)
        ]

    return await bot.run_many(requests, use_case, refuse=refusal)
