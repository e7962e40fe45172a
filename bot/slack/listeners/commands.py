"""Slash commands (`/kudos`, `/pulse`, …): routed to the core's command table, answered in the acknowledgement.

The answer to a slash command is the body of Slack's 2xx, shown only to the person who typed it; so the kudos is
committed first and the confirmation rides on the acknowledgement itself. An answer longer than one message (an
admin's `/pulse results` over many teams) continues in numbered messages sent to the command's `response_url`
(Slack takes five there), then, past that, ephemerally in the channel. `/kudos @someone …` commands arriving
together are given in one transaction (`bot.batching`), which is what lets a burst be acknowledged quickly.

A result not ready within `BRAVO_ANSWER_SECONDS` (2.5 s; Slack gives up at 3 s) is still awaited: nothing
is acknowledged before the kudos is committed. Once it is, the answer is queued for the command's `response_url`
(an outbox row, so a crash cannot lose it) and only then is Slack told "working on it" (`Answering`).
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
from bot.slack.listeners.common import Answer, LateAnswers, answer_for, open_modal, refusal, tell_pages
from bot.slack.people import Introduction
from bot.slack.render import message_pages
from bot.slack.response_urls import USES as RESPONSE_URL_USES
from bot.slack.response_urls import follow_up, response_address
from bot.slack.turn import SlackBot, SlackTurn, TurnRequest
from handlers.i18n import Translator
from handlers.kudos import KudosText, give_from_texts, gives_kudos
from handlers.routing import run_command

log = logging.getLogger(__name__)
ANY_COMMAND = re.compile(r"^/\S+$")


def register(app: AsyncApp, bot: SlackBot) -> None:
    kudos_batches: Batcher[TurnRequest, Answer | None] = Batcher(partial(give_kudos_commands, bot))
    bot.worker.incoming.append(kudos_batches.backlogged)  # a burst of /kudos is answered before its notifications
    late = LateAnswers(bot)

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

        async def compute() -> Answer | None:
            if name == "kudos" and gives_kudos(text):
                return await kudos_batches.submit(request)
            (answer,) = await bot.run_many([request], use_case, refuse=refusal)
            return answer

        where = Answering(bot, late, client, ack, respond, name, trigger_id, user, command)
        await where.answer(asyncio.ensure_future(compute()))


@dataclass(frozen=True)
class Answering:
    """Where a command's answer goes: in the acknowledgement when it is ready within the answer budget; else, once
    the work is committed (never before), the answer is queued for the command's `response_url` and the
    acknowledgement says "working on it". Work not committed yet is not acknowledged at all: past Slack's 3 s, Slack
    shows a timeout (or resends, and the command's key finds the same kudos)."""

    bot: SlackBot
    late: LateAnswers
    client: AsyncWebClient
    ack: AsyncAck
    respond: AsyncRespond
    name: str
    trigger_id: str
    user: str
    command: dict[str, Any]

    async def answer(self, work: asyncio.Future[Answer | None]) -> None:
        budget = self.bot.runtime.settings.answer_seconds
        done, _ = await asyncio.wait({work}, timeout=budget)
        try:
            answer = await work
        except Exception:
            log.exception("/%s failed", self.name)
            t = Translator(self.bot.runtime.policy.language)
            await self.ack(text=t("Sorry, something went wrong and nothing was saved. Please try again."))
            return
        if not done and answer is not None and await self.follow_up(answer):
            await self.ack(text=answer.t("Working on it…"))
            return
        await self.show(answer)

    async def follow_up(self, answer: Answer) -> bool:
        """Queue the answer for the command's `response_url`, committed; False when there is nothing to queue
        (no card, a form, no usable URL) or it could not be stored (then it rides on the acknowledgement)."""
        card = answer.reply.card
        if card is None or answer.reply.form is not None:
            return False
        address = response_address(
            str(self.command.get("response_url") or ""), "in_channel" if answer.reply.public else "ephemeral"
        )
        if address is None:
            return False
        key = f"slack:command:{self.trigger_id}:answer" if self.trigger_id else None
        return await self.late.queue(follow_up(address=address, card=card, key=key), f"/{self.name}")

    async def show(self, answer: Answer | None) -> None:
        """The answer in the acknowledgement (a form opens as a modal); a long one continues at `response_url`."""
        if answer is None or answer.reply.card is None or answer.reply.form is not None:
            await self.ack()
            if answer is not None and answer.reply.form is not None:
                await open_modal(self.client, self.trigger_id, answer)
            return
        response_type = "in_channel" if answer.reply.public else "ephemeral"
        first, *rest = message_pages(answer.reply.card)
        await self.ack(response_type=response_type, **first)
        for payload in rest[:RESPONSE_URL_USES]:
            try:
                await self.respond(response_type=response_type, replace_original=False, **payload)
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                log.warning("/%s: a continued answer was lost: %s", self.name, error)
        channel = self.command.get("channel_id")
        await tell_pages(self.client, user=self.user, channel=channel, payloads=rest[RESPONSE_URL_USES:])


async def give_kudos_commands(bot: SlackBot, requests: list[TurnRequest]) -> list[Answer | None]:
    """A burst of `/kudos @someone …` commands, given together in one transaction (see `bot.batching`)."""

    async def use_case(turns: Sequence[SlackTurn]) -> list[Answer]:
        texts = [KudosText(turn.ctx, turn.canonical(turn.texts[0]), source="command") for turn in turns]
        outcomes = await give_from_texts(texts)
        return [
            Answer(reply=turn.noted(outcome.reply), t=turn.ctx.t) for turn, outcome in zip(turns, outcomes, strict=True)
        ]

    return await bot.run_many(requests, use_case, refuse=refusal)
