"""Reading a kudos out of canonical command text: `<@12> <@13> 2 thanks for the release #teamwork`.

Pure and platform-neutral: adapters have already turned platform mentions into `<@personId>` / `<!team:teamId>`
tokens. Everyone mentioned is recognised; a number (or `+N`) among the leading mentions sets the points each; the
rest is the reason, whose `#tags` name company values. Trailing tags are lifted out of the reason, tags inside a
sentence stay where they were written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from handlers.mentions import ANY_TOKEN, find_mentions

POINTS_TOKEN = re.compile(r"^\+?(\d{1,6})$")
# Anything else that reads as a number where the points go (`-3`, `2.5`, `1e3`, twenty digits): points asked for but
# not a whole number Bravo can give, so the kudos is refused with an explanation rather than given with 1 point.
NUMBER_LIKE = re.compile(r"^[+\-\u2212]?\d[\d.,]*(e\d+)?$", re.IGNORECASE)
INVALID_POINTS = 0
VALUE_TAG = re.compile(r"(?<![\w#&])#([^\W\d_][\w-]{0,63})")
TRAILING_TAGS = re.compile(r"(?:\s*(?<![\w#&])#[^\W\d_][\w-]{0,63}[.!,;]?)+\s*$")
DEFAULT_POINTS = 1

ParseProblem = Literal["no_recipients"]
FIRST_TOKEN = re.compile(r"(\S+)\s*(.*)", re.DOTALL)
PUNCTUATION = re.compile(r"[,;:&+\-–—]+")
JOINING_WORDS = frozenset({"and", "&", "et"})


@dataclass(frozen=True)
class KudosDraft:
    """What the giver asked for, before any rule is applied."""

    people: tuple[int, ...]
    teams: tuple[int, ...]
    points: int
    reason: str
    values: tuple[str, ...]
    points_given: bool = False

    @property
    def has_recipients(self) -> bool:
        return bool(self.people or self.teams)


class KudosParseError(ValueError):
    """The text cannot be a kudos; `problem` lets the use case explain it in the giver's language."""

    def __init__(self, problem: ParseProblem) -> None:
        super().__init__(problem)
        self.problem: ParseProblem = problem


def value_tags(text: str) -> tuple[str, ...]:
    """The `#values` a text names, lower-cased, in order, without repeats."""
    return tuple(dict.fromkeys(match.group(1).lower() for match in VALUE_TAG.finditer(text)))


def _split_lead(text: str, read_points: bool) -> tuple[list[str], str]:
    """Leading mention and points tokens, and the remaining text (the reason).

    Punctuation between leading mentions (`<@1>, <@2>:`) and a joining word before another mention
    (`<@1> and <@2>`) belong to the list of people, not to the reason.
    """
    lead: list[str] = []
    rest = text.strip()
    while rest:
        split = FIRST_TOKEN.match(rest)
        if split is None:
            break
        token, remainder = split.group(1), split.group(2)
        is_points = read_points and _points_like(token) and not any(_points_like(t) for t in lead)
        joins = token.lower() in JOINING_WORDS and ANY_TOKEN.match(remainder) is not None
        if ANY_TOKEN.fullmatch(token) or is_points:
            lead.append(token)
        elif lead and (PUNCTUATION.fullmatch(token) or joins):
            pass
        elif (glued := ANY_TOKEN.match(token)) and PUNCTUATION.fullmatch(token[glued.end() :]):
            lead.append(glued.group(0))
        else:
            break
        rest = remainder.strip()
    return lead, rest


def _points_like(token: str) -> bool:
    return bool(POINTS_TOKEN.match(token) or NUMBER_LIKE.match(token))


def tidy_reason(reason: str) -> str:
    """A reason without trailing value tags or stray punctuation left after the mentions."""
    without_tags = TRAILING_TAGS.sub("", reason)
    lines = [" ".join(line.split()) for line in without_tags.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text.lstrip(",:;-– ").strip()


def parse_kudos(text: str, *, read_points: bool = True) -> KudosDraft:
    """Parse canonical kudos text; raises `KudosParseError` when nobody is mentioned.

    `read_points=False` (chat messages, where points come from the emoji) keeps a leading number in the reason.
    """
    normalised = text.replace("\u00a0", " ").strip()
    mentions = find_mentions(normalised)
    if not mentions.people and not mentions.teams:
        raise KudosParseError("no_recipients")
    lead, rest = _split_lead(normalised, read_points)
    points = DEFAULT_POINTS
    points_given = False
    for token in lead:
        if _points_like(token):
            match = POINTS_TOKEN.match(token)
            points = int(match.group(1)) if match else INVALID_POINTS
            points_given = True
    return KudosDraft(
        people=mentions.people,
        teams=mentions.teams,
        points=points,
        reason=tidy_reason(rest),
        values=value_tags(rest),
        points_given=points_given,
    )
