"""Every message, modal and Home view Bravo can build, at large sizes, as Slack would judge it.

Each card the core builds (`tests/validators/catalogue.py`: many teams, ten questions, twenty recipients,
1,500-character non-Latin reasons) and each reply read from a busy database (`catalogue_db.py`) goes through the Slack
renderer, then through slack_sdk's Block Kit models and Slack's documented limits (`slack_limits.py`). A renderer that
raises counts as a refusal: Slack would never get an answer. A card sent as messages is judged page by page, and
every page must also stay under the text chat.postMessage takes in all (`msg_blocks_too_long`, see
`bot.slack.paging`); the pages must hold every word of the card.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.slack.listeners.common import Answer, modal_for
from bot.slack.paging import MESSAGE_TEXT, text_length
from bot.slack.render import card_blocks, home_view, message_pages, message_payload
from handlers.i18n import Translator
from tests.validators.catalogue import all_cards
from tests.validators.catalogue_db import NAMES, Built, build_replies
from tests.validators.slack_limits import slack_problems

CARDS = all_cards()


def problems_of(render: Callable[[], dict[str, Any]]) -> list[str]:
    """What Slack would refuse in the rendered payload; a renderer that raises is a refusal too."""
    try:
        payload = render()
    except Exception as error:  # whatever it is, nothing reaches Slack
        return [f"the renderer raised {error!r}"]
    return slack_problems(payload)


def page_problems(payload: dict[str, Any]) -> list[str]:
    total = text_length(payload["blocks"])
    too_long = [f"blocks: {total:,} characters of text > {MESSAGE_TEXT:,}"] if total > MESSAGE_TEXT else []
    return slack_problems(payload) + too_long


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_card_bravo_builds_is_a_message_slack_accepts(name: str) -> None:
    problems = problems_of(lambda: message_payload(CARDS[name]))
    for number, page in enumerate(message_pages(CARDS[name]), 1):
        problems += [f"page {number}: {problem}" for problem in page_problems(page)]
    assert not problems, f"{name}:\n" + "\n".join(problems)


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The words of each section, field and context element (not the title, which pages number)."""
    texts: list[str] = []
    for block in blocks:
        if block["type"] == "section":
            texts += [block["text"]["text"]] if "text" in block else []
            texts += [field["text"] for field in block.get("fields", ())]
        elif block["type"] == "context":
            texts += [element["text"] for element in block["elements"]]
    return texts


@pytest.mark.parametrize("name", [name for name in CARDS if len(message_pages(CARDS[name])) > 1])
def test_a_card_sent_as_pages_keeps_every_word_and_button(name: str) -> None:
    pages = message_pages(CARDS[name])
    shown = "\n".join(text for page in pages for text in _texts(page["blocks"]))
    assert all(text in shown for text in _texts(card_blocks(CARDS[name])))
    buttons = [block for page in pages for block in page["blocks"] if block["type"] == "actions"]
    assert buttons == [block for block in card_blocks(CARDS[name]) if block["type"] == "actions"]
    title = CARDS[name].title or ""
    for number, page in enumerate(pages, 1):
        header, suffix = page["blocks"][0]["text"]["text"], f" ({number}/{len(pages)})"
        assert header.endswith(suffix) and title.startswith(header.removesuffix(suffix).removesuffix("…"))


def test_the_largest_results_and_digests_need_several_messages() -> None:
    assert len(message_pages(CARDS["pulse.results.admin-twelve-teams.en"])) > 1
    assert len(message_pages(CARDS["digest.manager.eight-teams.fr"])) > 1


@pytest.fixture(scope="module")
def replies(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    return build_replies(sqlite_template, tmp_path_factory.mktemp("slack-limits"))


def slack_payload(built: Built) -> dict[str, Any]:
    """The payload the Slack adapter sends for a reply shown as a message, a modal or the Home tab."""
    card = built.reply.card
    if built.shown == "modal":
        view = modal_for(Answer(reply=built.reply, t=Translator("en")))
        assert view is not None
        return view
    assert card is not None
    return home_view(card) if built.shown == "home" else message_payload(card)


@pytest.mark.parametrize("name", NAMES)
def test_every_reply_read_from_a_busy_database_is_a_payload_slack_accepts(name: str, replies: dict[str, Built]) -> None:
    problems = problems_of(lambda: slack_payload(replies[name]))
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_the_catalogue_covers_every_scale_both_languages_and_the_large_cases() -> None:
    scales = {name.split(".")[2] for name in CARDS if name.startswith("pulse.question.")}
    assert scales == {"agree5", "scale10", "yesno", "emoji5", "helped3"}
    assert {name.rsplit(".", 1)[1] for name in CARDS} == {"en", "fr"}
    prefixes = ("kudos.post.cyrillic", "kudos.confirmation.emoji", "pulse.results.manager-many-comments")
    for prefix in (*prefixes, "actions.checkin.question", "actions.checkin.outcome", "actions.checkin.commitments"):
        assert any(name.startswith(prefix) for name in CARDS), prefix
