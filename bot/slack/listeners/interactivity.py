"""Buttons, modal submissions and shortcuts, routed to the core's action and form tables.

A button's `action_id` is `Choice.action` (plus an index Slack needs for uniqueness) and its value `Choice.value`;
a modal's `callback_id` is `Form.action`. A form's answer replaces the modal (`response_action: update`), so a
refusal can offer "Edit and try again" and a success shows the confirmation where the person is looking. A form
whose result is not ready within `BRAVO_ANSWER_SECONDS` gets no answer before its commit; once committed, its result
is queued as a direct message and the modal says "working on it" (`_answer_form_late`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.forms import picked_users, submitted_values
from bot.slack.listeners.common import (
    Answer,
    LateAnswers,
    answer_for,
    modal_for,
    open_modal,
    refusal,
    tell,
)
from bot.slack.mentions import defuse
from bot.slack.people import Introduction
from bot.slack.render import action_name, button_value, message_payload, result_view
from bot.slack.turn import SlackBot, SlackTurn
from handlers.delivery import channel_delivery
from handlers.kudos import form_reply, reason_line
from handlers.messages import text_card
from handlers.routing import run_action, submit_form

log = logging.getLogger(__name__)
# Slack's direct message channel ids start with D; a card there is the person's own, updated in place.
DIRECT_MESSAGE_PREFIX = "D"
ANYTHING = re.compile(".*")
MESSAGE_SHORTCUT = "kudos_message"
GLOBAL_SHORTCUT = "kudos_global"
PREFILL_EXCERPT = 280
LATE_FORM_KIND = "form_answer"


def metadata_channel(metadata: str) -> str | None:
    """The conversation a form was opened from, when its metadata names one (the kudos form's `{"channel": …}`)."""
    try:
        data = json.loads(metadata) if metadata.startswith("{") else None
    except ValueError:
        return None
    channel = data.get("channel") if isinstance(data, dict) else None
    return channel if isinstance(channel, str) and channel else None


def _action_value(action: dict[str, Any]) -> str:
    if action.get("value") is not None:
        return str(action["value"])
    selected = action.get("selected_option") or {}
    return str(selected.get("value", ""))


def register(app: AsyncApp, bot: SlackBot) -> None:
    _register_actions(app, bot, LateAnswers(bot))
    _register_shortcuts(app, bot)


def _register_actions(app: AsyncApp, bot: SlackBot, late: LateAnswers) -> None:
    """Buttons and modal submissions, routed to the core's action and form tables."""

    @app.action(ANYTHING)
    async def on_action(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        user = str(body["user"]["id"])
        container = body.get("container") or {}
        view = body.get("view") or {}
        channel = (
            (body.get("channel") or {}).get("id")
            or container.get("channel_id")
            or metadata_channel(str(view.get("private_metadata") or ""))
        )
        name = action_name(str(action.get("action_id", "")))
        value = button_value(_action_value(action), body.get("view"))
        trigger_id = str(body.get("trigger_id", ""))

        async def use_case(turn: SlackTurn) -> Answer:
            return await answer_for(turn, await run_action(turn.ctx, name, value))

        answer = await bot.run(
            user_id=user,
            use_case=use_case,
            channel=channel,
            event_key=f"slack:action:{trigger_id or action.get('action_ts')}",
            bot_user_id=context.bot_user_id,
            refuse=refusal,
            introduced=Introduction.of_interaction(body),
        )
        await ack()
        if answer is not None:
            await _show_action_answer(client, respond, body, answer)

    @app.view(ANYTHING)
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
        user = str(body["user"]["id"])
        state = (view.get("state") or {}).get("values") or {}

        async def use_case(turn: SlackTurn) -> Answer:
            values = {
                name: tuple(defuse(item) for item in items)
                for name, items in submitted_values(state, turn.known.person_ids).items()
            }
            metadata = str(view.get("private_metadata") or "")
            return await answer_for(turn, await submit_form(turn.ctx, str(view.get("callback_id")), values, metadata))

        work = asyncio.ensure_future(
            bot.run(
                user_id=user,
                use_case=use_case,
                users=picked_users(state),
                channel=metadata_channel(str(view.get("private_metadata") or "")),
                event_key=f"slack:view:{view.get('id')}",
                bot_user_id=context.bot_user_id,
                refuse=refusal,
                introduced=Introduction.of_interaction(body),
            )
        )
        done, _ = await asyncio.wait({work}, timeout=bot.runtime.settings.answer_seconds)
        answer = await work
        if not done and answer is not None and await _answer_form_late(late, ack, user, str(view.get("id")), answer):
            return
        modal = modal_for(answer, metadata=str(view.get("private_metadata") or "")) if answer is not None else None
        if modal is None:
            await ack()
            return
        await ack(response_action="update", view=modal)


async def _answer_form_late(late: LateAnswers, ack: AsyncAck, user: str, view_id: str, answer: Answer) -> bool:
    """A form's result that missed the answer budget, its change committed: the result is queued as a direct message
    (an outbox row, keyed by the view) and only then does the modal say "working on it"; False when there is no
    card to send (a form shown again, with its errors, goes in the acknowledgement as usual)."""
    card = answer.reply.card
    if card is None or answer.reply.form is not None:
        return False
    delivery = channel_delivery(
        platform="slack", channel=user, card=card, kind=LATE_FORM_KIND, dedupe_key=f"slack:view:{view_id}:answer"
    )
    if not await late.queue(delivery, "form"):
        return False
    t = answer.t
    working = text_card(t("Working on it… The answer will follow in your messages with Bravo."))
    await ack(response_action="update", view=result_view(working, title="Bravo", close=t("Close")))
    return True


def _register_shortcuts(app: AsyncApp, bot: SlackBot) -> None:
    """The kudos form opened from a message (prefilled with its author and words) or from anywhere."""

    @app.shortcut(MESSAGE_SHORTCUT)
    async def on_message_shortcut(
        ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        message = shortcut.get("message") or {}
        author = str(message.get("user") or "")
        text = str(message.get("text") or "")
        channel = (shortcut.get("channel") or {}).get("id")

        async def use_case(turn: SlackTurn) -> Answer:
            person = turn.known.people.get(author) if author else None
            recognisable = person is not None and not person.is_bot and person.id != turn.ctx.actor.id
            people = [person.id or 0] if person is not None and recognisable else []
            excerpt = reason_line(turn.canonical(text), turn.known.people_by_id, {}).plain()
            excerpt = excerpt if len(excerpt) <= PREFILL_EXCERPT else excerpt[: PREFILL_EXCERPT - 1] + "…"
            prefill = f"“{excerpt}” " if excerpt else ""
            return await answer_for(turn, await form_reply(turn.ctx, people=people, message=prefill))

        answer = await bot.run(
            user_id=str(shortcut["user"]["id"]),
            use_case=use_case,
            texts=[text],
            users=[author] if author else [],
            channel=channel,
            bot_user_id=context.bot_user_id,
            refuse=refusal,
            introduced=Introduction.of_interaction(shortcut),
        )
        await ack()
        if answer is not None:
            await open_modal(client, str(shortcut["trigger_id"]), answer)

    @app.shortcut(GLOBAL_SHORTCUT)
    async def on_global_shortcut(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        async def use_case(turn: SlackTurn) -> Answer:
            return await answer_for(turn, await form_reply(turn.ctx))

        answer = await bot.run(
            user_id=str(shortcut["user"]["id"]),
            use_case=use_case,
            refuse=refusal,
            introduced=Introduction.of_interaction(shortcut),
        )
        await ack()
        if answer is not None:
            await open_modal(client, str(shortcut["trigger_id"]), answer)


async def _show_action_answer(
    client: AsyncWebClient, respond: AsyncRespond, body: dict[str, Any], answer: Answer
) -> None:
    """Forms open (or replace the modal holding the button); cards replace the modal, the original message when
    asked to, or are shown to the person alone."""
    container = body.get("container") or {}
    user = str(body["user"]["id"])
    view = body.get("view") or {}
    in_modal = container.get("type") == "view" and view.get("type") == "modal"
    try:
        if in_modal:
            modal = modal_for(answer)
            if modal is not None:
                await client.views_update(view_id=str(view.get("id")), view=modal)
            return
        if answer.reply.form is not None:
            await open_modal(client, str(body.get("trigger_id", "")), answer)
            return
        card = answer.reply.card
        if card is None:
            return
        channel = container.get("channel_id")
        if container.get("type") == "message" and answer.reply.replace_original:
            if container.get("is_ephemeral"):
                await respond(replace_original=True, **message_payload(card))
            elif not str(channel or "").startswith(DIRECT_MESSAGE_PREFIX):
                # A card in a channel is everyone's: it stays as it is, and the person who tapped is answered alone.
                await tell(client, user=user, channel=str(channel), card=card)
            else:
                await client.chat_update(
                    channel=str(channel), ts=str(container.get("message_ts")), **message_payload(card)
                )
            return
        await tell(client, user=user, channel=str(channel) if channel else None, card=card)
    except SlackApiError as error:
        log.warning("showing the answer to %s failed: %s", user, error.response.get("error"))
