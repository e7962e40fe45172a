"""Which messages the code uses, and the placeholders each expects: what the catalogue tests hold each language to."""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path

from babel.messages.extract import extract_from_dir

PACKAGES = ("bot", "handlers", "scheduler", "storage")
KEYWORDS = {"t": None, "plural": (1, 2), "_": None}


def extract_messages(root: Path) -> Iterator[tuple[str, str, int]]:
    """Yield (message id, file, line) for every translatable string in the product code."""
    for package in PACKAGES:
        folder = root / package
        if not folder.is_dir():
            continue
        for filename, line, message, _comments, _context in extract_from_dir(
            str(folder), method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            text = message[0] if isinstance(message, tuple) else message
            if text:
                yield text, f"{package}/{filename}", line


def placeholders(text: str) -> set[str]:
    """The `{names}` a message expects, to compare a translation's with its English source."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
