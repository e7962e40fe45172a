"""Teams `<at>Name</at>` mentions rewritten into Bravo's canonical tokens, using the activity's mention entities.

Only entities Teams attached to the activity become tokens: anything a person typed that looks like a token
(`<@42>`, `&lt;@42&gt;`) is defused, so nobody can mention someone without really mentioning them.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from handlers.mentions import ANY_TOKEN, person_token

AT_TAG = re.compile(r"<at(?:\s[^>]*)?>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class MentionEntity:
    """One `mention` entity: the exact text it covers and the account it names."""

    text: str
    account_id: str
    name: str


def defuse(text: str) -> str:
    """Plain text with HTML entities decoded and anything shaped like a canonical token made harmless."""
    plain = html.unescape(text)
    while ANY_TOKEN.search(plain):
        plain = ANY_TOKEN.sub(lambda match: match.group(0)[1:-1], plain)
    return plain


def rewrite_mentions(
    text: str, mentions: Sequence[MentionEntity], *, person_ids: Mapping[str, int], bot_id: str | None
) -> str:
    """The text with each mentioned person as `<@id>`, the bot's own mention removed and other tags kept as names."""
    queues: dict[str, deque[MentionEntity]] = {}
    for entity in mentions:
        if entity.text:
            queues.setdefault(entity.text, deque()).append(entity)
    alternatives = [re.escape(known) for known in sorted(queues, key=len, reverse=True)]
    pattern = re.compile("|".join([*alternatives, r"(?is:<at(?:\s[^>]*)?>.*?</at>)"]))
    pieces: list[tuple[bool, str]] = []
    position = 0
    for match in pattern.finditer(text):
        pieces.append((False, text[position : match.start()]))
        position = match.end()
        queue = queues.get(match.group(0))
        if not queue:
            inner = AT_TAG.fullmatch(match.group(0))
            pieces.append((False, inner.group(1) if inner else match.group(0)))
            continue
        entity = queue.popleft()
        if bot_id and entity.account_id == bot_id:
            pieces.append((False, " "))
        elif entity.account_id in person_ids:
            pieces.append((True, f" {person_token(person_ids[entity.account_id])} "))
        else:
            pieces.append((False, entity.name))
    pieces.append((False, text[position:]))
    return _assemble(pieces)


def _assemble(pieces: list[tuple[bool, str]]) -> str:
    """Join the pieces, defusing each run of plain text as a whole so no token can be spliced together."""
    out: list[str] = []
    run: list[str] = []
    for is_token, piece in pieces:
        if is_token:
            out.append(defuse("".join(run)))
            run = []
            out.append(piece)
        else:
            run.append(piece)
    out.append(defuse("".join(run)))
    return _SPACES.sub(" ", "".join(out)).strip()
