"""Kudos in the flow of conversation: a channel message that mentions people with the kudos emoji, or that emoji as
a reaction to someone's message, given many at a time.

These run from the events inbox (`bot.slack.events`), after the deliveries were stored and acknowledged. A claimed
batch of them is given in one transaction through the same path as a burst of `/kudos` commands
(`handlers.kudos.give_from_texts`, one statement per table), each decided as if alone. A delivery may be processed
again (a Slack resend, a worker that died), so every event id is claimed in the transaction of the kudos it gives,
and a reaction is keyed by message, reactor and emoji so removing and adding it again counts once.

The giver's answer (a confirmation or a refusal, shown to them alone) is queued in the outbox in that same
transaction, not sent while the batch is processed: a slow or rate-limited Slack never holds up the kudos, and a
crash after the commit still shows it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.slack.mentions import find_slack_mentions
from bot.slack.turn import SlackBot, SlackTurn, TurnRequest
from handlers.delivery import NewDelivery, queue, shown_in_channel
from handlers.kudos import KudosDraft, KudosOutcome, KudosRequest, KudosText, give_from_texts

PEOPLE_MESSAGES = frozenset({None, "thread_broadcast", "file_share"})
CONFIRMATION = "kudos_confirmation"


@functools.cache
def emoji_pattern(emoji: str) -> re.Pattern[str]:
    """`:clap:`, with or without a skin tone."""
    return re.compile(rf":{re.escape(emoji)}:(?::skin-tone-[2-6]:)?")


@dataclass(frozen=True)
class KudosEvent:
    """A reaction or an emoji message that gives kudos: who gives, where, and to whom (a reaction's author) or in what
    words (a message's text, with `points` emoji)."""

    request: TurnRequest
    channel: str
    author: str | None = None
    text: str = ""
    points: int = 1

    @property
    def claim(self) -> str:
        return self.request.claim or ""

    def kudos(self, turn: SlackTurn, pattern: re.Pattern[str]) -> KudosText | KudosRequest | None:
        """What to give for this event, in `turn`; None when a reaction's author is not someone Bravo can thank."""
        key = self.request.event_key
        if self.author is None:
            canonical = turn.canonical(pattern.sub(" ", self.text))
            return KudosText(turn.ctx, canonical, source="message", points=self.points, idempotency_key=key)
        author_id = turn.person_id(self.author)
        if author_id is None:
            return None
        draft = KudosDraft(people=(author_id,), teams=(), points=1, reason="", values=())
        return KudosRequest(turn.ctx, draft, "reaction", key)


def kudos_event(bot: SlackBot, event: dict[str, Any], claim: str, bot_user_id: str | None) -> KudosEvent | None:
    """The kudos a channel message or a reaction gives; None for those that give none (another emoji, a bot's post,
    a message that mentions nobody, a reaction to Bravo's own message)."""
    emoji = bot.runtime.policy.kudos_emoji
    if event.get("type") == "reaction_added":
        return _reaction(event, emoji, claim, bot_user_id)
    if event.get("subtype") not in PEOPLE_MESSAGES or event.get("bot_id") or not event.get("user"):
        return None
    text = str(event.get("text") or "")
    count = len(emoji_pattern(emoji).findall(text))
    found = find_slack_mentions(text)
    if not count or not ([user for user in found.users if user != bot_user_id] or found.usergroups):
        return None
    channel = str(event.get("channel", ""))
    request = TurnRequest(
        user_id=str(event["user"]),
        texts=(text,),
        channel=channel,
        event_key=f"slack:message:{channel}:{event.get('ts')}",
        claim=claim,
        bot_user_id=bot_user_id,
        channel_hint=event.get("channel_type"),
    )
    return KudosEvent(request, channel, text=text, points=count)


def _reaction(event: dict[str, Any], emoji: str, claim: str, bot_user_id: str | None) -> KudosEvent | None:
    """The kudos emoji as a reaction gives its author one point; removing it takes nothing back (no handler)."""
    item = event.get("item") or {}
    reaction = str(event.get("reaction", "")).split("::", 1)[0]
    author = str(event.get("item_user") or "")
    reactor = str(event.get("user") or "")
    if reaction != emoji or item.get("type") != "message" or not author or author == bot_user_id:
        return None
    channel = str(item.get("channel", ""))
    request = TurnRequest(
        user_id=reactor,
        users=(author,),
        channel=channel,
        event_key=f"slack:reaction:{channel}:{item.get('ts')}:{reactor}:{reaction}",
        claim=claim,
        bot_user_id=bot_user_id,
    )
    return KudosEvent(request, channel, author=author)


async def give_event_kudos(bot: SlackBot, events: Sequence[KudosEvent]) -> list[None]:
    """Give the kudos of many events in one transaction and queue each giver's answer with them."""
    if not events:
        return []
    pattern = emoji_pattern(bot.runtime.policy.kudos_emoji)
    by_claim = {event.claim: event for event in events}

    async def use_case(turns: Sequence[SlackTurn]) -> list[None]:
        wanted = [(turn, by_claim[turn.claim or ""]) for turn in turns]
        gives = [(turn, event, event.kudos(turn, pattern)) for turn, event in wanted]
        outcomes = iter(await give_from_texts([give for _, _, give in gives if give is not None]))
        answers: list[NewDelivery] = []
        for turn, event, give in gives:
            if give is not None:
                answers += _answer(turn, event, next(outcomes))
        await queue(turns[0].ctx.session, answers)
        return [None] * len(turns)

    await bot.run_many([event.request for event in events], use_case)
    return [None] * len(events)


def _answer(turn: SlackTurn, event: KudosEvent, outcome: KudosOutcome) -> list[NewDelivery]:
    """The giver's answer, shown to them alone where they gave it; a repeat is not shown twice."""
    reply = turn.noted(outcome.reply) if event.author is None else outcome.reply
    if outcome.duplicate or reply.card is None:
        return []
    actor = turn.ctx.actor
    return [shown_in_channel(person=actor, platform="slack", channel=event.channel, card=reply.card, kind=CONFIRMATION)]
