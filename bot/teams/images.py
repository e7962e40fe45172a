"""Charts in an Adaptive Card: `Image` elements with a PNG `data:` URI (drawn here, at delivery, from the chart's
numbers), while the card stays under the size Teams shows images in; a chart that does not fit is replaced by its
text alternative, which carries the same numbers."""

from __future__ import annotations

from typing import Any

from bot.teams.budget import wire_bytes
from handlers.messages import Image

JsonDict = dict[str, Any]

# Teams drops a message whose card (inline images included) passes about 28 KB; room is left for the activity.
MAX_IMAGE_CARD_BYTES = 27 * 1024
ALT_TEXT_LIMIT = 2000


def image_block(chart: Image) -> JsonDict:
    return {
        "type": "Image",
        "url": "data:image/png;base64," + chart.encoded(),
        "altText": chart.alt[:ALT_TEXT_LIMIT],
        "size": "Stretch",
    }


def alt_block(chart: Image) -> JsonDict:
    return {"type": "TextBlock", "text": chart.alt, "wrap": True, "size": "Small"}


def with_images(card: JsonDict, charts: tuple[Image, ...], *, limit: int = MAX_IMAGE_CARD_BYTES) -> JsonDict:
    """The card with its charts appended to its body: each as its text alternative, then, in order, each one whose
    image keeps the whole card within `limit` as that image instead."""
    if not charts:
        return card
    body = list(card.get("body", []))
    start = len(body)
    body.extend(alt_block(chart) for chart in charts)
    content = {**card, "body": body}
    for index, chart in enumerate(charts, start):
        text = body[index]
        body[index] = image_block(chart)
        if wire_bytes(content) > limit:
            body[index] = text
    return content
