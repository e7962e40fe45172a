"""Console deliveries: direct messages and channel posts appear in the terminal, marked as such."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from bot.console.render import render_card
from handlers.i18n import Translator
from handlers.messages import Card
from scheduler.sending import Destination


class ConsoleSender:
    """Shows what Slack or Teams would deliver, so the demo shows every effect of a command."""

    platform = "console"

    def __init__(
        self,
        out: TextIO,
        names: dict[int, str],
        t: Translator,
        *,
        me: int | None = None,
        on_own_card: Callable[[Card], None] | None = None,
    ) -> None:
        self.out = out
        self.names = names
        self.t = t
        self.me = me
        self.on_own_card = on_own_card

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        """Posts and the console person's own messages in full; colleagues' messages as one line each."""
        if destination.channel:
            heading = self.t("[post in #{channel}]", channel=destination.channel)
        elif self.me is not None and destination.person_id != self.me:
            name = self.names.get(destination.person_id or 0, address or "?")
            summary = card.title or card.summary or card.plain().split("\n", 1)[0]
            self.out.write(self.t("[direct message to {name}: {summary}]", name=name, summary=summary) + "\n")
            self.out.flush()
            return None
        else:
            name = self.names.get(destination.person_id or 0, address or "?")
            heading = self.t("[direct message to {name}]", name=name)
            if self.on_own_card is not None:
                self.on_own_card(card)
        self.out.write(f"\n{heading}\n{render_card(card)}\n")
        self.out.flush()
        return None
