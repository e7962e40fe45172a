"""Cards stay under the size Teams accepts, counted as botbuilder sends them (non-ASCII escaped)."""

from __future__ import annotations

import json

from bot.teams.budget import ELLIPSIS, MAX_CARD_BYTES, SHORTEST_TEXT, fitted, shortened, wire_bytes
from bot.teams.render import render_card
from handlers.messages import Card, FieldItem, Line, PersonRef, Section

ARABIC = "شكرا جزيلا على مساعدتك في الإصدار، لقد أنقذت أسبوعنا! "
BOB = PersonRef(id=2, name="Bob Jones", teams_id="29:bob")


def highlights(count: int, length: int) -> Card:
    sections = tuple(Section(text=Line.of(BOB, " " + (ARABIC * 40)[:length]), quote=True) for _ in range(count))
    return Card(title="Digest", sections=sections, context=(Line.of("small print"),))


def test_a_card_within_the_limit_is_rendered_as_it_is() -> None:
    card = highlights(3, 200)
    rendered = render_card(card)
    assert wire_bytes(rendered) < MAX_CARD_BYTES and ELLIPSIS not in json.dumps(rendered, ensure_ascii=False)


def test_the_wire_size_counts_escaped_characters() -> None:
    assert wire_bytes({"text": "ش"}) == len('{"text": "\\u0634"}')


def test_long_texts_are_shortened_to_the_longest_length_that_fits_and_mentions_stay() -> None:
    card = highlights(40, 1500)  # 60,000 Arabic characters: about 360 KB on the wire
    rendered = render_card(card)
    assert wire_bytes(rendered) <= MAX_CARD_BYTES
    shown = json.dumps(rendered, ensure_ascii=False)
    assert shown.count("<at>Bob Jones</at>") == 40 + 1 and ELLIPSIS in shown  # and its entity
    lengths = {len(block["items"][0]["text"]) for block in rendered["body"] if block.get("type") == "Container"}
    (length,) = lengths
    assert SHORTEST_TEXT < length < 1500


def test_a_card_too_long_even_with_short_texts_keeps_its_first_sections_and_ends_with_an_ellipsis() -> None:
    card = highlights(30, 300)

    def render(shown: Card) -> dict[str, object]:
        return {"texts": [section.text.plain() for section in shown.sections if section.text]}

    limit = wire_bytes(render(shortened(card, SHORTEST_TEXT))) // 3
    result = fitted(card, render, limit=limit)
    kept = result["texts"]
    assert isinstance(kept, list) and 0 < len(kept) < 30 and kept[-1] == ELLIPSIS
    assert wire_bytes(result) <= limit


def test_fields_and_small_print_are_shortened_too() -> None:
    card = Card(
        sections=(Section(fields=(FieldItem(label="Reason", value=Line.of("x" * 500)),)),),
        context=(Line.of("y" * 500),),
    )
    short = shortened(card, 100)
    assert short.sections[0].fields[0].value.plain() == "x" * 99 + ELLIPSIS
    assert short.context[0].plain() == "y" * 99 + ELLIPSIS
