"""Helpers every listener shares: a use case's answer, and showing it where the person is looking."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.batching import Batcher
from bot.slack.forms import form_view
from bot.slack.render import message_pages, result_view
from bot.slack.turn import SlackBot, SlackTurn, outsider_notice
from handlers.delivery import NewDelivery, queue
from handlers.i18n import Translator
from handlers.messages import Card, Form, Reply, reply
from storage import people as people_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """A reply plus what rendering it on Slack needs once the transaction is over."""

    reply: Reply
    t: Translator
    slack_users: dict[str, str] = field(default_factory=dict)


async def form_users(session: AsyncSession, form: Form | None) -> dict[str, str]:
    """Person id -> Slack user id for the people a form is pre-filled with."""
    if form is None:
        return {}
    ids = {int(value) for item in form.inputs if item.kind == "people" for value in item.initial if value.isdigit()}
    people = await people_store.people_by_ids(session, ids=sorted(ids))
    return {str(person.id): person.slack_id for person in people if person.slack_id}


async def answer_for(turn: SlackTurn, reply: Reply) -> Answer:
    reply = turn.noted(reply)
    return Answer(reply=reply, t=turn.ctx.t, slack_users=await form_users(turn.ctx.session, reply.form))


class LateAnswers:
    """Answers that missed the acknowledgement, committed as outbox rows after the work's own commit ("working on it"
    is said only once both are durable). Those arriving together share one transaction (`bot.batching`): late
    answers come in bursts, when the database is slow, and must not slow it further."""

    def __init__(self, bot: SlackBot) -> None:
        self.bot = bot
        self._batches: Batcher[NewDelivery, bool] = Batcher(self._store)

    async def queue(self, delivery: NewDelivery, what: str) -> bool:
        """True once committed; False when it could not be stored, so the caller answers in place."""
        try:
            return await self._batches.submit(delivery)
        except Exception:  # noqa: BLE001 - the answer is still given, in the acknowledgement
            log.exception("%s: the late answer could not be queued", what)
            return False

    async def _store(self, deliveries: list[NewDelivery]) -> list[bool]:
        async with self.bot.runtime.database.transaction() as session:
            await queue(session, deliveries)
        self.bot.worker.wake()
        return [True] * len(deliveries)


def refusal(t: Translator) -> Answer:
    """The answer for someone from another organisation (Slack Connect), who can neither give nor receive kudos."""
    return Answer(reply=reply(outsider_notice(t)), t=t)


def modal_for(answer: Answer, *, metadata: str | None = None) -> dict[str, Any] | None:
    """The modal that shows an answer: its form, or its card as a result (keeping the `metadata` of the form it
    answers)."""
    t = answer.t
    if answer.reply.form is not None:
        return form_view(answer.reply.form, close=t("Cancel"), slack_users=answer.slack_users)
    if answer.reply.card is not None:
        return result_view(answer.reply.card, title="Bravo", close=t("Close"), metadata=metadata)
    return None


async def open_modal(client: AsyncWebClient, trigger_id: str, answer: Answer) -> None:
    view = modal_for(answer)
    if view is None:
        return
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"))


async def tell(client: AsyncWebClient, *, user: str, channel: str | None, card: Card) -> None:
    """Show a card to one person: ephemerally where they are, else in their direct messages with Bravo (a long card
    as several messages)."""
    await tell_pages(client, user=user, channel=channel, payloads=message_pages(card))


async def tell_pages(client: AsyncWebClient, *, user: str, channel: str | None, payloads: list[dict[str, Any]]) -> None:
    """`tell` for messages already rendered."""
    for payload in payloads:
        await _tell_one(client, user=user, channel=channel, payload=payload)


async def _tell_one(client: AsyncWebClient, *, user: str, channel: str | None, payload: dict[str, Any]) -> None:
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user, **payload)
            return
        except SlackApiError as error:
            log.info("chat.postEphemeral in %s failed (%s); sending a DM", channel, error.response.get("error"))
    try:
        await client.chat_postMessage(channel=user, **payload)
    except SlackApiError as error:
        log.warning("could not reach %s: %s", user, error.response.get("error"))
