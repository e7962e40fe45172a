"""Suggested actions per driver: the ones Bravo ships (`suggestions.json`, English and French) and an admin's own.

The admin's are stored per language and shown after the shipped ones; `add_suggestion` is the use case behind
`bravo actions suggestions add`.
"""

from __future__ import annotations

from typing import ClassVar

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.actions.focus import shipped_suggestions
from handlers.errors import RuleError, _
from handlers.i18n import normalise_language
from handlers.pulse import DRIVERS, ENPS_DRIVER
from storage import actions as store

MAX_SUGGESTION_LENGTH = 200
LANGUAGES = ("en", "fr")


class SuggestionError(RuleError):
    """A suggestion the rules refuse."""

    messages: ClassVar[dict[str, str]] = {
        "unknown_driver": _("unknown driver '{driver}' (use {drivers})"),
        "unknown_language": _("unknown language '{language}' (use en or fr)"),
        "empty_text": _("the suggested action is empty"),
        "text_too_long": _("the suggested action is longer than {limit} characters"),
        "already_there": _("this suggestion is already there"),
    }


def action_drivers() -> tuple[str, ...]:
    """The drivers a team can act on (every driver but eNPS)."""
    return tuple(driver for driver in DRIVERS if driver != ENPS_DRIVER)


async def suggestions_for(session: AsyncSession, *, driver: str, language: str) -> list[str]:
    """The shipped suggestions for a driver in a language, then the admin's own."""
    return [*shipped_suggestions(driver, language), *await store.suggestions(session, driver=driver, language=language)]


async def add_suggestion(session: AsyncSession, *, driver: str, language: str, text: str) -> str:
    """Store an admin's suggested action; returns the text as stored (spaces tidied)."""
    driver, text = driver.strip().lower(), " ".join(text.split())
    if driver not in action_drivers():
        raise SuggestionError("unknown_driver", driver=driver[:40], drivers=", ".join(action_drivers()))
    if language.strip().lower() not in LANGUAGES:
        raise SuggestionError("unknown_language", language=language[:20])
    if not text:
        raise SuggestionError("empty_text")
    if len(text) > MAX_SUGGESTION_LENGTH:
        raise SuggestionError("text_too_long", limit=MAX_SUGGESTION_LENGTH)
    language = normalise_language(language, "en")
    if not await store.add_suggestion(session, driver=driver, language=language, text=text):
        raise SuggestionError("already_there")
    return text
