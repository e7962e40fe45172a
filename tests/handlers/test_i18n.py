"""Every message the code uses is translated into French, with the same placeholders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import babel.messages.catalog
import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from handlers.i18n import (
    SUPPORTED_LANGUAGES,
    Translator,
    catalogue_files,
    load_catalogue,
    normalise_language,
    translations,
)
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


# Counts that tell the plural rules apart: French reads 0 and 1 as singular; CLDR's French data (Babel 2.19 and
# later) adds a third form for one million, which the `.po` files do not have.
COUNTS = (0, 1, 2, 5, 1_000_000)
TRANSLATED_LANGUAGES = [language for language in SUPPORTED_LANGUAGES if catalogue_files(language)]


def po_messages(language: str) -> Iterator[Message]:
    """Every translated message as its own `.po` file holds it, read file by file (no merging)."""
    for path in catalogue_files(language):
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        for message in catalogue:
            if message.id and message.string and not message.fuzzy:
                yield message


def french_form(count: int) -> int:
    """French's plural rule as its `.po` files declare it: `plural=(n > 1)`."""
    return 1 if count > 1 else 0


@pytest.fixture
def fresh_translations() -> Iterator[None]:
    """Compile the catalogues again for this test, and drop what it compiled afterwards."""
    translations.cache_clear()
    yield
    translations.cache_clear()


def test_every_french_plural_message_has_its_french_form_for_every_count() -> None:
    compiled = translations("fr")
    plurals = [message for message in po_messages("fr") if message.pluralizable]
    assert plurals, "the French catalogue has plural messages"
    wrong = []
    for message in plurals:
        singular, plural = message.id[0], message.id[1]
        forms = tuple(message.string or ())
        assert len(forms) == 2, f"{singular!r}: French has two forms, not {forms!r}"
        for count in COUNTS:
            rendered = compiled.ngettext(singular, plural, count)
            if rendered != forms[french_form(count)]:
                wrong.append(f"{count}: {singular!r} -> {rendered!r}")
    assert wrong == [], "\n".join(wrong)


def test_plural_messages_read_in_french_with_their_count() -> None:
    t = Translator("fr")
    left = "You have {count} point left to give today.", "You have {count} points left to give today."
    assert t.plural(*left, 0) == "Il vous reste 0 point à donner aujourd'hui."
    assert t.plural(*left, 1) == "Il vous reste 1 point à donner aujourd'hui."
    assert t.plural(*left, 3) == "Il vous reste 3 points à donner aujourd'hui."
    assert t.plural(*left, 1_000_000) == "Il vous reste 1000000 points à donner aujourd'hui."


def test_plural_rule_comes_from_the_po_files_not_from_babels_locale_data(
    monkeypatch: pytest.MonkeyPatch, fresh_translations: None
) -> None:
    """Whatever plural data a Babel release ships for a locale, the catalogue keeps the `.po` files' own rule."""
    monkeypatch.setattr(babel.messages.catalog, "get_plural", lambda locale: (4, "(n % 4)"))
    compiled = translations("fr")
    assert compiled.ngettext("{count} vote", "{count} votes", 3) == "{count} votes"
    assert compiled.ngettext("{count} vote", "{count} votes", 1) == "{count} vote"
    assert compiled.ngettext("{count} vote", "{count} votes", 0) == "{count} vote"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_a_language_compiles_every_translated_message_its_po_files_hold(language: str) -> None:
    """A message counts as compiled only if it reads as its `.po` file says, for every count and every form.

    Each file's entries are checked, so a message that two files translate differently counts as one lost.
    """
    compiled = translations(language)
    held = list(po_messages(language))
    missing = []
    for message in held:
        if isinstance(message.id, str):
            ok = compiled.gettext(message.id) == message.string
        else:
            counts = (*range(201), *COUNTS)
            forms = set(message.string or ())
            ok = {compiled.ngettext(message.id[0], message.id[1], count) for count in counts} == forms
        if not ok:
            missing.append(message.id)
    compiled_count = len(held) - len(missing)
    assert compiled_count == len(held), f"{language}: {compiled_count} of {len(held)} compiled; missing {missing}"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_po_file_declares_its_plural_rule(language: str) -> None:
    for path in catalogue_files(language):
        assert '"Plural-Forms: ' in path.read_text(encoding="utf-8"), f"{path.name} has no Plural-Forms header"
