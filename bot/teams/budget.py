"""Cards kept under the size Teams accepts: long texts shortened with "…", and a card too long even then cut short.

Teams refuses bot messages past about 100 KB, counted on the wire: botbuilder sends JSON with every non-ASCII
character escaped (`\\u0634` is six bytes), so Arabic, Cyrillic, CJK or emoji text weighs up to six times its
characters. A card is kept under `MAX_CARD_BYTES` of that JSON (room is left for the activity around it): first
every text longer than some length is shortened to it, the longest length that fits; if even short texts do not
fit, the card keeps its first sections and ends with "…".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from handlers.messages import Card, FieldItem, Line, Section, Text

JsonDict = dict[str, Any]

MAX_CARD_BYTES = 80 * 1024
SHORTEST_TEXT = 80
ELLIPSIS = "…"


def wire_bytes(content: JsonDict) -> int:
    """The card's size as botbuilder sends it (`json.dumps`, non-ASCII characters escaped)."""
    return len(json.dumps(content))


def fitted(card: Card, render: Callable[[Card], JsonDict], *, limit: int = MAX_CARD_BYTES) -> JsonDict:
    """`render(card)`, or of the least shortened version of `card` whose rendering stays within `limit` bytes."""
    content = render(card)
    if wire_bytes(content) <= limit:
        return content
    best = _largest(SHORTEST_TEXT, longest_text(card) - 1, lambda cap: render(shortened(card, cap)), limit)
    if best is not None:
        return best
    short = shortened(card, SHORTEST_TEXT)
    best = _largest(1, len(short.sections) - 1, lambda count: render(_keep(short, count)), limit)
    return best if best is not None else render(_keep(short, 0))


def _largest(low: int, high: int, build: Callable[[int], JsonDict], limit: int) -> JsonDict | None:
    """`build(n)` for the largest n in [low, high] whose result fits in `limit` (results grow with n), else None."""
    best: JsonDict | None = None
    while low <= high:
        middle = (low + high) // 2
        candidate = build(middle)
        if wire_bytes(candidate) <= limit:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def longest_text(card: Card) -> int:
    lines = [line for section in card.sections for line in _lines(section)] + list(card.context)
    return max((len(part.text) for line in lines for part in line.parts if isinstance(part, Text)), default=0)


def shortened(card: Card, cap: int) -> Card:
    """The card with every text part longer than `cap` characters cut to `cap`, ending with "…"."""
    sections = tuple(
        Section(
            text=_cut_line(section.text, cap) if section.text is not None else None,
            fields=tuple(FieldItem(label=item.label, value=_cut_line(item.value, cap)) for item in section.fields),
            quote=section.quote,
        )
        for section in card.sections
    )
    context = tuple(_cut_line(line, cap) for line in card.context)
    return card.model_copy(update={"sections": sections, "context": context})


def _lines(section: Section) -> list[Line]:
    return ([section.text] if section.text is not None else []) + [item.value for item in section.fields]


def _cut_line(line: Line, cap: int) -> Line:
    parts = tuple(
        Text(text=part.text[: cap - 1].rstrip() + ELLIPSIS) if isinstance(part, Text) and len(part.text) > cap else part
        for part in line.parts
    )
    return Line(parts=parts)


def _keep(card: Card, count: int) -> Card:
    """The card's first `count` sections, then "…"."""
    return card.model_copy(update={"sections": (*card.sections[:count], Section(text=Line.of(ELLIPSIS)))})
