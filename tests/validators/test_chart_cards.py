"""The digests' charts as Slack and Teams get them: every digest of the catalogue (manager, team, organisation, in
English and French) carries charts, drawn at delivery into PNGs; on Teams inline in a card Microsoft's library
accepts (`test_platform_cards.py` validates every catalogue card, these included) and under the size Teams shows
images in; on Slack as `files_upload_v2` uploads with alt text within Slack's limit."""

from __future__ import annotations

import base64

import pytest

from bot.slack.charts import ALT_TEXT_LIMIT, file_uploads
from bot.teams.budget import wire_bytes
from bot.teams.images import ALT_TEXT_LIMIT as TEAMS_ALT_LIMIT
from bot.teams.images import MAX_IMAGE_CARD_BYTES
from bot.teams.render import render_card
from tests.validators.catalogue import all_cards
from tests.validators.node import card_verdict

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DIGESTS = {name: card for name, card in all_cards().items() if name.startswith("digest.")}
WITHOUT_CHARTS = ("digest.org.nothing-to-chart",)


def test_every_digest_kind_is_in_the_catalogue_with_charts() -> None:
    kinds = {name.split(".")[1] for name, card in DIGESTS.items() if card.images}
    assert kinds == {"manager", "team", "org"}
    assert [name for name, card in DIGESTS.items() if not card.images and not name.startswith(WITHOUT_CHARTS)] == []


@pytest.mark.parametrize("name", sorted(name for name, card in DIGESTS.items() if card.images))
def test_a_digests_charts_are_inline_pngs_in_a_valid_teams_card_within_the_image_limit(name: str) -> None:
    card = DIGESTS[name]
    content = render_card(card)
    images = [block for block in content["body"] if block["type"] == "Image"]
    assert not images or wire_bytes(content) <= MAX_IMAGE_CARD_BYTES  # else every chart is there as its words
    for block in images:
        prefix, encoded = block["url"].split(",", 1)
        assert prefix == "data:image/png;base64" and base64.b64decode(encoded)[:8] == PNG_SIGNATURE
    shown = {block["altText"] for block in images} | {
        block.get("text") for block in content["body"] if block["type"] == "TextBlock"
    }
    assert [
        chart.name for chart in card.images if chart.alt[:TEAMS_ALT_LIMIT] not in shown and chart.alt not in shown
    ] == []
    assert not card_verdict(content).errors


@pytest.mark.parametrize("name", sorted(name for name, card in DIGESTS.items() if card.images))
def test_a_digests_charts_are_slack_uploads_with_alt_text_within_slacks_limit(name: str) -> None:
    uploads = file_uploads(DIGESTS[name].images)
    for upload, chart in zip(uploads, DIGESTS[name].images, strict=True):
        content, alt = upload["content"], upload["alt_txt"]
        assert isinstance(content, bytes) and content[:8] == PNG_SIGNATURE
        assert isinstance(alt, str) and 0 < len(alt) <= ALT_TEXT_LIMIT
        assert upload["filename"] == chart.name and str(upload["filename"]).endswith(".png")


@pytest.mark.parametrize("name", sorted(name for name in DIGESTS if ".typical." in name or ".twelve-teams." in name))
def test_a_usual_digest_shows_its_charts_as_images_on_teams(name: str) -> None:
    card = DIGESTS[name]
    images = [block for block in render_card(card)["body"] if block["type"] == "Image"]
    assert len(images) >= min(3, len(card.images))
