"""Every Adaptive Card Bravo can send to Teams, at large sizes, as Microsoft's own library judges it.

Each card the core builds (`tests/validators/catalogue.py`) and each reply read from a busy database
(`catalogue_db.py`; App Home is Slack's alone) is rendered as the Teams adapter renders it, with `Action.Submit`
buttons and as universal `Action.Execute` ones, then parsed and validated by npm `adaptivecards` with the Teams host
configuration (at most 6 actions), a 1.5 version and ~80 KB (`tests/validators/validate.mjs`). Without Node these
tests are skipped with the reason. What fails today is marked `xfail(strict=True)`; each mark becomes a failure, to
be removed, once the card stays within Teams' limits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.teams.render import render_card, render_form
from tests.validators.catalogue import all_cards
from tests.validators.catalogue_db import NAMES, Built, build_replies
from tests.validators.known import with_known_failures
from tests.validators.node import card_verdict

CARDS = all_cards()
SLACK_ONLY = ("home", "home.nothing-yet")
KNOWN_CARDS: dict[str, str] = {}
KNOWN_REPLIES: dict[str, str] = {}


def problems(card: dict[str, Any]) -> list[str]:
    verdict = card_verdict(card)
    return list(verdict.errors)


@pytest.mark.parametrize("name", with_known_failures(CARDS, KNOWN_CARDS))
def test_every_card_bravo_builds_passes_microsofts_validation_with_the_teams_host_config(name: str) -> None:
    card = CARDS[name]
    found = {
        "Action.Submit": problems(render_card(card)),
        "Action.Execute": problems(render_card(card, universal=True)),
    }
    assert not any(found.values()), f"{name}: {found}"


@pytest.fixture(scope="module")
def replies(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    return build_replies(sqlite_template, tmp_path_factory.mktemp("teams-cards"))


@pytest.mark.parametrize("name", with_known_failures([n for n in NAMES if n not in SLACK_ONLY], KNOWN_REPLIES))
def test_every_reply_read_from_a_busy_database_passes_microsofts_validation(
    name: str, replies: dict[str, Built]
) -> None:
    reply = replies[name].reply
    found = {}
    for universal in (False, True):
        if reply.form is not None:
            rendered = render_form(reply.form, universal=universal)
        else:
            assert reply.card is not None
            rendered = render_card(reply.card, universal=universal)
        found[universal] = problems(rendered)
    assert not any(found.values()), f"{name}: {found}"
