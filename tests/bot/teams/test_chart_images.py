"""Charts in Teams cards: inline PNG images with their text alternative while the card stays under Teams' limit for
cards with images; a chart that would pass it is shown as its text alternative instead."""

from __future__ import annotations

import base64

from bot.teams.budget import wire_bytes
from bot.teams.images import MAX_IMAGE_CARD_BYTES, with_images
from bot.teams.render import render_card
from tests.handlers.digest.test_org import PNG_SIGNATURE, card


def test_charts_are_inline_pngs_with_alt_text_within_the_limit_and_the_rest_is_text() -> None:
    built = card()
    content = render_card(built)
    assert wire_bytes(content) <= MAX_IMAGE_CARD_BYTES
    images = [block for block in content["body"] if block["type"] == "Image"]
    assert images, "the smallest charts fit"
    alts = {chart.alt for chart in built.images}
    for block in images:
        prefix, encoded = block["url"].split(",", 1)
        assert prefix == "data:image/png;base64"
        assert base64.b64decode(encoded)[:8] == PNG_SIGNATURE
        assert block["altText"] in alts
    texts = {block.get("text") for block in content["body"] if block["type"] == "TextBlock"}
    left_out = alts - {block["altText"] for block in images}
    assert left_out <= texts  # every chart is there, as an image or as its numbers in words


def test_a_card_without_room_shows_every_chart_as_text() -> None:
    built = card()
    tight = with_images({"type": "AdaptiveCard", "body": []}, built.images, limit=500)
    assert [block["text"] for block in tight["body"]] == [chart.alt for chart in built.images]
