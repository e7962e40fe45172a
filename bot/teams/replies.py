"""Answering a person within their turn: a card or form in the same conversation, or the pressed card updated."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.teams.activities import base_conversation_id, tenant_id
from bot.teams.outgoing import card_activity, form_activity, paced
from bot.teams.pacing import Pacer
from bot.teams.render import ADAPTIVE_CARD, render_card, render_form
from handlers.messages import Reply

log = logging.getLogger(__name__)

IN_TURN_MAX_WAIT = 5.0
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"


def reply_activity(answer: Reply, *, universal: bool) -> Activity | None:
    if answer.form is not None:
        return form_activity(answer.form, universal=universal)
    if answer.card is not None:
        return card_activity(answer.card, universal=universal)
    return None


async def send_reply(turn_context: TurnContext, answer: Reply, *, pacer: Pacer, universal: bool) -> None:
    """Reply in the person's conversation (in the thread, in a channel); replace the pressed card when asked."""
    activity = reply_activity(answer, universal=universal)
    if activity is None:
        return
    incoming = turn_context.activity
    conversation_id, tenant = base_conversation_id(incoming), tenant_id(incoming)
    if answer.replace_original and answer.form is None and incoming.reply_to_id:
        activity.id = incoming.reply_to_id
        try:
            await paced(
                pacer,
                lambda: turn_context.update_activity(activity),
                conversation_id=conversation_id,
                tenant_id=tenant,
                max_wait=IN_TURN_MAX_WAIT,
            )
            return
        except Exception as error:  # noqa: BLE001 - a card that cannot be updated gets a new message instead
            log.info("could not update Teams card %s: %r", incoming.reply_to_id, error)
            activity.id = None
    await paced(
        pacer,
        lambda: turn_context.send_activity(activity),
        conversation_id=conversation_id,
        tenant_id=tenant,
        max_wait=IN_TURN_MAX_WAIT,
    )


def invoke_body(answer: Reply | None, *, universal: bool, fallback: str, shared: bool = False) -> dict[str, Any]:
    """The `adaptiveCard/action` response: the card (or form) that replaces the pressed one, or a short message.

    In a `shared` conversation (channel, group chat) a card answer is that short message, shown to the person who
    pressed: the card everyone sees stays as it is.
    """
    if answer is not None and answer.form is not None:
        return {"statusCode": 200, "type": ADAPTIVE_CARD, "value": render_form(answer.form, universal=universal)}
    if answer is not None and answer.card is not None and shared:
        return {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": answer.card.plain()}
    if answer is not None and answer.card is not None:
        return {"statusCode": 200, "type": ADAPTIVE_CARD, "value": render_card(answer.card, universal=universal)}
    return {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": fallback}
