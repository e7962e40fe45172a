"""Console mentions: `@Bob Smith`, `@Bob` or `@Engineering` become the core's `<@id>` / `<!team:id>` tokens.

Names are matched longest first, so `@Bob Smith` wins over `@Bob`, and without accents or case, so `@chloe` finds
Chloé; a first name alone works when only one person has it. Anything else after an `@` gets a friendly explanation
(with the nearest name, when one is close) instead of a silent miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.i18n import Translator
from handlers.mentions import person_token, team_token
from handlers.spelling import closest, fold, folded_prefix
from storage import people as people_store

AT = re.compile(r"(?<![\w@.])@")
WORD = re.compile(r"[\w'’.-]+")


class MentionError(ValueError):
    """A name after `@` matches nobody, or several people; the message is in the reader's language."""


@dataclass(frozen=True)
class Directory:
    """Names the console recognises: (folded name, token, display name), longest names first."""

    names: tuple[tuple[str, str, str], ...]
    ambiguous: dict[str, tuple[str, ...]]

    def match(self, text: str) -> tuple[str, str] | None:
        """The (token, matched text) for a name at the start of `text`, if any."""
        for name, token, _display in self.names:
            typed = folded_prefix(text, name)
            if typed is not None and (len(text) == len(typed) or not _continues(text[len(typed)])):
                return token, typed
        return None

    def nearest(self, word: str) -> str | None:
        """The display name spelled most like `word`, for a "did you mean"."""
        displays = {name: display for name, _token, display in self.names}
        found = closest(word, displays)
        return displays[found] if found else None


def _continues(char: str) -> bool:
    return char.isalnum() or char in "_-'’"


async def load_directory(session: AsyncSession) -> Directory:
    people = await people_store.all_people(session)
    teams = await people_store.all_teams(session)
    names: dict[str, tuple[str, str]] = {}
    first_names: dict[str, list[tuple[str, str]]] = {}
    for person in people:
        token = person_token(person.id or 0)
        names[fold(person.display_name)] = (token, person.display_name)
        first = fold(person.display_name.split()[0]) if person.display_name.split() else ""
        if first:
            first_names.setdefault(first, []).append((token, person.display_name))
    for team in teams:
        names.setdefault(fold(team.name), (team_token(team.id or 0), team.name))
    ambiguous: dict[str, tuple[str, ...]] = {}
    for first, owners in first_names.items():
        if len(owners) == 1:
            names.setdefault(first, owners[0])
        elif first not in names:
            ambiguous[first] = tuple(display for _token, display in owners)
    ordered = sorted(((name, token, display) for name, (token, display) in names.items()), key=lambda x: -len(x[0]))
    return Directory(names=tuple(ordered), ambiguous=ambiguous)


def rewrite_mentions(text: str, directory: Directory, t: Translator) -> str:
    """Replace every `@Name` with its token; raise `MentionError` for a name nobody (or several people) has."""
    out: list[str] = []
    position = 0
    for at in AT.finditer(text):
        if at.start() < position:
            continue
        out.append(text[position : at.start()])
        rest = text[at.end() :]
        found = directory.match(rest)
        if found is not None:
            token, matched = found
            out.append(token)
            position = at.end() + len(matched)
            continue
        word_match = WORD.match(rest)
        word = word_match.group(0).rstrip(".") if word_match else ""
        if not word:
            out.append("@")
            position = at.end()
            continue
        owners = directory.ambiguous.get(fold(word))
        if owners:
            raise MentionError(
                t("@{name} could be several people: {names}. Use their full name.", name=word, names=", ".join(owners))
            )
        raise MentionError(unknown_name(word, directory, t))
    out.append(text[position:])
    return "".join(out)


def unknown_name(word: str, directory: Directory, t: Translator) -> str:
    """Nobody is called `word`: say so, with the nearest name when one is close."""
    suggestion = directory.nearest(word)
    if suggestion:
        return t("I don't know anyone called @{name}. Did you mean @{suggestion}?", name=word, suggestion=suggestion)
    return t("I don't know anyone called @{name}.", name=word)


def resolve_people(names: str, directory: Directory, t: Translator) -> tuple[str, ...]:
    """A form's people answer (`Bob, Claire Petit`) as person ids."""
    ids: list[str] = []
    for raw in names.split(","):
        name = raw.strip().lstrip("@")
        if not name:
            continue
        token = rewrite_mentions("@" + name, directory, t)
        if not token.startswith("<@") or not token.endswith(">") or not token[2:-1].isdigit():
            raise MentionError(unknown_name(name, directory, t))
        ids.append(token[2:-1])
    return tuple(dict.fromkeys(ids))
