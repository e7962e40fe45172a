"""The App Home tab: published fresh each time a person opens it."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.slack.render import home_view
from bot.slack.turn import SlackBot, SlackTurn
from handlers.home import home_card
from handlers.messages import Card

log = logging.getLogger(__name__)


async def on_home_opened(bot: SlackBot, event: dict[str, Any], _claim: str, _bot_user_id: str | None) -> None:
    """Publish the person's App Home (an event from the inbox, `bot.slack.events`)."""
    if event.get("tab", "home") != "home":
        return
    user = str(event["user"])

    async def use_case(turn: SlackTurn) -> Card:
        return await home_card(turn.ctx)

    card = await bot.run(user_id=user, use_case=use_case)
    if card is None:
        return
    try:
        await bot.client.views_publish(user_id=user, view=home_view(card))
    except SlackApiError as error:
        log.warning("views.publish for %s failed: %s", user, error.response.get("error"))
