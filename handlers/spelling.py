"""Names and words compared the way people type them: without accents or case, and "did you mean" for a near miss.

`@Chloe` has to find Chloé and `/kudoz` has to point to `/kudos`: folding removes what a keyboard makes optional,
`closest` offers the one near spelling (difflib's ratio) rather than a bare "unknown".
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

CUTOFF = 0.6


def fold(text: str) -> str:
    """`Chloé` and `CHLOE` both become `chloe`: compatibility-decomposed, marks dropped, case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def folded_prefix(text: str, key: str) -> str | None:
    """The start of `text` that folds to `key`, as typed (`Chloé` for `chloe`), or None when it does not."""
    folded = ""
    for end, char in enumerate(text, 1):
        folded += fold(char)
        if len(folded) >= len(key):
            if folded != key:
                return None
            while end < len(text) and not fold(text[end]):
                end += 1  # a combining mark typed after the last letter belongs to it
            return text[:end]
    return None


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate spelled most like `word` (ignoring accents and case), if one is close enough."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(fold(candidate), candidate)
    found = difflib.get_close_matches(fold(word), list(by_key), n=1, cutoff=CUTOFF)
    return by_key[found[0]] if found else None
