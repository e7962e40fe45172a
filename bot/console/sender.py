"""Console deliveries: direct messages and channel posts appear in the terminal, marked as such."""

from __future__ import annotations

from typing import TextIO

from bot.console.render import render_card
from handlers.i18n import Translator
from handlers.messages import Card, Destination


class ConsoleSender:
    """Shows what Slack or Teams would deliver, so the demo shows every effect of a command."""

    platform = "console"

    def __init__(self, out: TextIO, names: dict[int, str], t: Translator) -> None:
        self.out = out
        self.names = names
        self.t = t

    async def send(self, destination: Destination, card: Card, *, address: str | None) -> str | None:
        if destination.channel:
            heading = self.t("[post in #{channel}]", channel=destination.channel)
        else:
            name = self.names.get(destination.person_id or 0, address or "?")
            heading = self.t("[direct message to {name}]", name=name)
        self.out.write(f"\n{heading}\n{render_card(card)}\n")
        self.out.flush()
        return None
