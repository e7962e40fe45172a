"""Reading a file a person named on the command line, with a clear line when it cannot be read."""

from __future__ import annotations

import sys
from pathlib import Path

from handlers.i18n import Translator


def read_text_file(path: Path, t: Translator) -> str | None:
    """The file's text (a UTF-8 byte-order mark is dropped), or None after saying why it could not be read."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        sys.stderr.write(t("cannot read {path}: {error}", path=str(path), error=str(problem)) + "\n")
        return None
