"""Every message the code uses is translated into French, with the same placeholders."""

from __future__ import annotations

from pathlib import Path

from handlers.i18n import SUPPORTED_LANGUAGES, Translator, load_catalogue, normalise_language
from tests.handlers.i18n_messages import extract_messages, placeholders

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_a_french_translation_with_the_same_placeholders() -> None:
    catalogue = load_catalogue("fr")
    problems = []
    for message, where, line in extract_messages(ROOT):
        entry = catalogue.get(message)
        if entry is None or not entry.string:
            problems.append(f"{where}:{line} untranslated: {message!r}")
            continue
        if isinstance(entry.id, tuple):  # plural: every form may use {count} and the plural's placeholders
            allowed = placeholders(entry.id[0]) | placeholders(entry.id[1]) | {"count"}
            wrong = any(not placeholders(text) <= allowed for text in entry.string)
        else:
            wrong = placeholders(str(entry.string)) != placeholders(message)
        if wrong:
            problems.append(f"{where}:{line} placeholders differ: {message!r} -> {entry.string!r}")
    assert problems == [], "\n".join(problems)


def test_locales_map_to_supported_languages() -> None:
    assert normalise_language("fr-FR") == "fr"
    assert normalise_language("fr_CA") == "fr"
    assert normalise_language("de-DE", "en") == "en"
    assert normalise_language(None, "fr") == "fr"
    assert set(SUPPORTED_LANGUAGES) == {"en", "fr"}


def test_lists_join_in_the_readers_language() -> None:
    assert Translator("en").join(["Ann", "Bob", "Cy"]) == "Ann, Bob and Cy"
    assert Translator("fr").join(["Ann", "Bob"]) == "Ann et Bob"
