"""Slack message markup in, canonical text out: `<@U2|bob>` becomes `<@42>`, everything else plain words.

Slack sends user text with its own markup (`<@U…>`, `<!subteam^S…>`, `<!channel>`, `<https://…|label>`) and `&`, `<`,
`>` escaped. The core wants plain words plus canonical mention tokens, so a user group becomes its current members
(or, when none can be recognised, its team, which the core explains), broadcast mentions become the harmless words
`@channel`/`@here`, links show their address next to their label (no disguised links), and text the person typed
that merely looks like a canonical token is defused.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from handlers.mentions import person_token, team_token

MARKUP = re.compile(r"<([^<>]*)>")
USER = re.compile(r"^@([UW][A-Z0-9]+)(?:\|(.*))?$", re.DOTALL)
USERGROUP = re.compile(r"^!subteam\^([A-Z0-9]+)(?:\|(.*))?$", re.DOTALL)
SPECIAL = re.compile(r"^!(channel|here|everyone)(?:\|.*)?$", re.DOTALL)
CHANNEL = re.compile(r"^#([CG][A-Z0-9]+)(?:\|(.*))?$", re.DOTALL)
DATE = re.compile(r"^!date\^[^|]*\|(.*)$", re.DOTALL)
# A channel reference keeps its look but uses the full-width number sign, so `#general` is not read as a value tag.
CHANNEL_SIGN = "\uff03"
CANONICAL_PREFIX = re.compile(r"<(?=@\d|!team:)")


@dataclass(frozen=True)
class SlackMentions:
    """The Slack users and user groups a text mentions (group id -> its label, e.g. `@platform`)."""

    users: tuple[str, ...]
    usergroups: dict[str, str]


def find_slack_mentions(text: str) -> SlackMentions:
    users: dict[str, None] = {}
    groups: dict[str, str] = {}
    for match in MARKUP.finditer(text):
        inner = match.group(1)
        if user := USER.match(inner):
            users[user.group(1)] = None
        elif group := USERGROUP.match(inner):
            groups[group.group(1)] = html.unescape(group.group(2) or "").lstrip("@")
    return SlackMentions(users=tuple(users), usergroups=groups)


def defuse(text: str) -> str:
    """Typed text (a modal's input) that looks like a canonical token stays text."""
    return CANONICAL_PREFIX.sub("<\u200b", text)


def _plain(text: str) -> str:
    """Literal text: unescape Slack's entities and defuse anything that would read as a canonical token."""
    return defuse(html.unescape(text))


@dataclass(frozen=True)
class Resolved:
    """What Slack ids stand for in Bravo: people, the teams behind user groups, each group's recognisable members."""

    people: Mapping[str, int]
    teams: Mapping[str, int]
    groups: Mapping[str, Sequence[int]]
    drop: frozenset[str]


def _markup(inner: str, known: Resolved) -> str:
    if user := USER.match(inner):
        slack_id = user.group(1)
        if slack_id in known.drop:
            return ""
        if slack_id in known.people:
            return person_token(known.people[slack_id])
        return "@" + _plain(user.group(2) or slack_id)
    if group := USERGROUP.match(inner):
        members = known.groups.get(group.group(1))
        if members:
            return " ".join(person_token(member) for member in members)
        if group.group(1) in known.teams:
            return team_token(known.teams[group.group(1)])
        return "@" + _plain(group.group(2) or group.group(1)).lstrip("@")
    if special := SPECIAL.match(inner):
        return "@" + special.group(1)
    if channel := CHANNEL.match(inner):
        return CHANNEL_SIGN + _plain(channel.group(2) or channel.group(1))
    if date := DATE.match(inner):
        return _plain(date.group(1))
    if inner.startswith("!"):
        return _plain(inner[1:].split("|", 1)[-1])
    address, _, label = inner.partition("|")
    address = _plain(address).removeprefix("mailto:")
    label = _plain(label)
    if label and label != address:
        return f"{label} ({address})"
    return address


def to_canonical(
    text: str,
    *,
    people: Mapping[str, int],
    teams: Mapping[str, int] | None = None,
    groups: Mapping[str, Sequence[int]] | None = None,
    drop_users: frozenset[str] = frozenset(),
) -> str:
    """Rewrite Slack text for the core; `drop_users` (e.g. the bot itself) disappear from it, a user group becomes
    the person ids `groups` gives for it."""
    known = Resolved(people, teams or {}, groups or {}, drop_users)
    out: list[str] = []
    position = 0
    for match in MARKUP.finditer(text):
        out.append(_plain(text[position : match.start()]))
        out.append(_markup(match.group(1), known))
        position = match.end()
    out.append(_plain(text[position:]))
    return "".join(out).strip()
