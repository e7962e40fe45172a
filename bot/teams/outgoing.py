"""Outgoing Teams messages: neutral cards as message activities, sent at Teams' pace with 429s retried."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.teams.errors import DEFAULT_THROTTLE_SECONDS, connector_failure
from bot.teams.pacing import Pacer
from bot.teams.render import ADAPTIVE_CARD, JsonDict, render_card, render_form
from handlers.messages import Card, Form
from scheduler.sending import sane_retry_after

T = TypeVar("T")


class PacingDelay(Exception):
    """No slot within the wait allowed: the caller reschedules rather than hold on."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Teams pacing: next slot in {seconds:.1f}s")
        self.seconds = seconds


def adaptive_activity(content: JsonDict, *, summary: str = "") -> Activity:
    """A message carrying one Adaptive Card; `summary` is what notifications and chat lists show."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=content)],
        summary=summary[:150] or None,
    )


def card_activity(card: Card, *, universal: bool = False) -> Activity:
    return adaptive_activity(render_card(card, universal=universal), summary=card.summary or card.plain())


def form_activity(form: Form, *, universal: bool = False) -> Activity:
    return adaptive_activity(render_form(form, universal=universal), summary=form.title)


async def paced(
    pacer: Pacer,
    call: Callable[[], Awaitable[T]],
    *,
    conversation_id: str,
    tenant_id: str | None,
    max_wait: float,
    retries: int = 2,
) -> T:
    """Run one connector call in its conversation's next free slot; a 429 is retried after its Retry-After.

    Waits longer than `max_wait` (pacing or Retry-After) are not taken: `PacingDelay` or the 429 goes to the caller.
    """
    attempt = 0
    while True:
        wait = await pacer.reserve(conversation_id, tenant_id, max_wait=max_wait)
        if wait:
            raise PacingDelay(wait)
        try:
            return await call()
        except Exception as error:
            failure = connector_failure(error)
            if failure is None or failure.status != 429 or attempt >= retries:
                raise
            delay = sane_retry_after(failure.retry_after) or DEFAULT_THROTTLE_SECONDS
            if delay > max_wait:
                raise
            attempt += 1
            await pacer.sleep(delay)
