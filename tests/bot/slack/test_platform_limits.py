"""Every message, modal and Home view Bravo can build, at large sizes, as Slack would judge it.

Each card the core builds (`tests/validators/catalogue.py`: many teams, ten questions, twenty recipients,
1,500-character non-Latin reasons) and each reply read from a busy database (`catalogue_db.py`) goes through the Slack
renderer, then through slack_sdk's Block Kit models and Slack's documented limits (`slack_limits.py`). A renderer that
raises counts as a refusal: Slack would never get an answer. What fails today is marked `xfail(strict=True)`: the
suite stays green, and each mark turns into a failure, to be removed, once the renderer keeps that payload in bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.slack.listeners.common import Answer, modal_for
from bot.slack.render import home_view, message_payload
from handlers.i18n import Translator
from tests.validators.catalogue import all_cards
from tests.validators.catalogue_db import NAMES, Built, build_replies
from tests.validators.known import with_known_failures
from tests.validators.slack_limits import slack_problems

CARDS = all_cards()
TOO_MANY_BLOCKS = (
    "one message holds every block (each team's every question, highlight or comment): more than Slack's 50 "
    "blocks, so chat.postMessage answers invalid_blocks; the renderer should paginate or summarise"
)
RETRY_VALUE = (
    '"Edit and try again" carries the whole form as ASCII-escaped JSON in the button value: past Slack\'s 2,000 '
    "characters for non-Latin or emoji text, and the renderer raises (HTTP 500, the person's text lost)"
)
KNOWN_MESSAGES = {
    "pulse.results.admin-two-teams-ten-questions": TOO_MANY_BLOCKS + " (/pulse results, 2 teams × 10 questions)",
    "pulse.results.admin-twelve-teams": TOO_MANY_BLOCKS + " (/pulse results, 12 teams)",
    "digest.manager.three-teams": TOO_MANY_BLOCKS + " (manager digest, 3 busy teams)",
    "digest.manager.eight-teams": TOO_MANY_BLOCKS + " (manager digest, 8 teams)",
}
KNOWN_REPLIES = {
    "kudos.refused-form.cyrillic-1500": RETRY_VALUE,
    "kudos.refused-form.emoji-1500": RETRY_VALUE,
    "kudos.refused-form.cyrillic-500": RETRY_VALUE + " (even at the default 500-character limit)",
}


def problems_of(render: Callable[[], dict[str, Any]]) -> list[str]:
    """What Slack would refuse in the rendered payload; a renderer that raises is a refusal too."""
    try:
        payload = render()
    except Exception as error:  # whatever it is, nothing reaches Slack
        return [f"the renderer raised {error!r}"]
    return slack_problems(payload)


@pytest.mark.parametrize("name", with_known_failures(CARDS, KNOWN_MESSAGES))
def test_every_card_bravo_builds_is_a_message_slack_accepts(name: str) -> None:
    problems = problems_of(lambda: message_payload(CARDS[name]))
    assert not problems, f"{name}:\n" + "\n".join(problems)


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


@pytest.mark.parametrize("name", with_known_failures(NAMES, KNOWN_REPLIES))
def test_every_reply_read_from_a_busy_database_is_a_payload_slack_accepts(name: str, replies: dict[str, Built]) -> None:
    problems = problems_of(lambda: slack_payload(replies[name]))
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_the_catalogue_covers_every_scale_both_languages_and_the_large_cases() -> None:
    scales = {name.split(".")[2] for name in CARDS if name.startswith("pulse.question.")}
    assert scales == {"agree5", "scale10", "yesno", "emoji5"}
    assert {name.rsplit(".", 1)[1] for name in CARDS} == {"en", "fr"}
    for prefix in ("kudos.post.cyrillic", "kudos.confirmation.emoji", "pulse.results.manager-many-comments"):
        assert any(name.startswith(prefix) for name in CARDS), prefix
