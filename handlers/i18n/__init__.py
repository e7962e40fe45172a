"""Translations: English message ids, French (and future) catalogues as gettext `.po` files.

Every `.po` file under `handlers/i18n/<language>/` is merged into that language's catalogue, so each
use case can keep its own file. Catalogues are compiled in memory with Babel at first use.

The plural rule is the one the `.po` files declare in their `Plural-Forms` header, never Babel's locale data:
CLDR's data changes between Babel releases (2.19 gives French a third form for one million), and a compiled rule
with more forms than the translations hold turns every plural beyond the first forms back into English.
"""

from __future__ import annotations

import gettext
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from handlers.i18n.dates import day_text, moment_text, period_text

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr")
CATALOGUE_DIR = Path(__file__).parent
_PLURAL_FORMS = re.compile(rb'^"Plural-Forms:', re.MULTILINE)


def normalise_language(value: str | None, default: str = "en") -> str:
    """Map a platform locale such as `fr-FR` or `fr_CA` to a supported language, else the default."""
    if value:
        language = value.replace("_", "-").split("-", 1)[0].strip().lower()
        if language in SUPPORTED_LANGUAGES:
            return language
    return default


def catalogue_files(language: str) -> list[Path]:
    return sorted((CATALOGUE_DIR / language).glob("*.po"))


def read_catalogue_file(path: Path, language: str) -> Catalog:
    """One `.po` file, refused if it leaves its plural rule to Babel's locale data or is malformed."""
    data = path.read_bytes()
    if not _PLURAL_FORMS.search(data):
        raise ValueError(f"{path}: no Plural-Forms header; each catalogue file declares its language's plural rule")
    return read_po(io.BytesIO(data), locale=language, abort_invalid=True)


def load_catalogue(language: str) -> Catalog:
    """Merge every `.po` file of a language into one Babel catalogue that keeps the files' own plural rule.

    The first file is the base, so its header (and with it `Plural-Forms`) is what gets compiled; every other
    file must declare the same rule, since its plural translations are written for it.
    """
    merged = Catalog(locale=language)
    for index, path in enumerate(catalogue_files(language)):
        part = read_catalogue_file(path, language)
        if index == 0:
            merged = part
            continue
        if part.plural_forms != merged.plural_forms:
            raise ValueError(f"{path}: Plural-Forms {part.plural_forms!r} differs from {merged.plural_forms!r}")
        for message in part:
            if message.id:
                merged[message.id] = message
    return merged


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES) + 1)
def translations(language: str) -> gettext.NullTranslations:
    """Compiled translations for a language; English is the source language and needs none."""
    if language not in SUPPORTED_LANGUAGES or not catalogue_files(language):
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, load_catalogue(language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


_FRENCH_DE = re.compile(r"\b([Dd])e \{(\w+)\}")
_FRENCH_VOWELS = frozenset("aeiou")


def elide(language: str, template: str, values: Mapping[str, object]) -> str:
    """French elides "de" before a vowel: "de {team}" reads "d'Engineering" but "de Sales".

    A translation cannot know the name it will hold, so the template is adjusted for the values it is given. Only
    a written vowel elides (not "h", "y" or a digit, whose elision depends on how the word is said).
    """
    if language != "fr" or "e {" not in template:
        return template

    def adjust(match: re.Match[str]) -> str:
        value = str(values.get(match.group(2), "")).lstrip()
        first = unicodedata.normalize("NFKD", value[:1])[:1].lower()
        return f"{match.group(1)}'{{{match.group(2)}}}" if first in _FRENCH_VOWELS else match.group(0)

    return _FRENCH_DE.sub(adjust, template)


class Translator:
    """Translates and formats messages for one reader: their language, and their time zone for dates."""

    def __init__(self, language: str, zone: ZoneInfo | None = None) -> None:
        self.language = normalise_language(language)
        self.zone = zone or ZoneInfo("UTC")
        self._translations = translations(self.language)

    def __call__(self, message: str, /, **values: object) -> str:
        """Translate `message` and fill its `{placeholders}`."""
        text = self._translations.gettext(message)
        return elide(self.language, text, values).format(**values) if values else text

    def plural(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """Translate with the language's plural rule; `{count}` is always available."""
        text = self._translations.ngettext(singular, plural, count)
        return elide(self.language, text, values).format(count=count, **values)

    def join(self, items: Iterable[str]) -> str:
        """Join a list the way the language does: `a, b and c` / `a, b et c`."""
        names = list(items)
        if len(names) <= 1:
            return "".join(names)
        return self("{first} and {last}", first=", ".join(names[:-1]), last=names[-1])

    def day(self, value: date) -> str:
        """A calendar day in the reader's language (`Dec 3, 2026`, `3 déc. 2026`)."""
        return day_text(value, self.language)

    def moment(self, value: datetime) -> str:
        """An instant as the reader's clock shows it, in their language (`Dec 3, 2026, 8:41 AM`)."""
        return moment_text(value, self.language, self.zone)

    def period(self, value: str) -> str:
        """A stored pulse period (ISO day or moment) written for the reader."""
        return period_text(value, self.language, self.zone)

    def deadline(self, value: datetime) -> str:
        """A moment people must act by, with the time zone it is shown in (`Dec 3, 2026, 8:41 AM (Europe/Paris)`)."""
        return f"{self.moment(value)} ({self.zone.key})"
