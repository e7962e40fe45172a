"""Files a person names on the command line, read or written through one gate: a regular file of bounded size.

`/dev/zero` would be read until memory runs out, a FIFO would block until someone writes to it, a directory or a
huge file are mistakes: each is refused with one line instead. The type is checked on the opened descriptor, so the
file cannot be swapped between the check and the read.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from handlers.i18n import Translator

MAX_FILE_MB = 32
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024


class FileRefused(Exception):
    """A named file that is not a regular file, or is too large; the message says which, in the reader's language."""


def _refuse(t: Translator, path: Path, problem: OSError | UnicodeDecodeError | FileRefused, *, writing: bool) -> None:
    """One line on standard error: the path and the reason (the system's words for an OSError, without its errno)."""
    error = problem.strerror if isinstance(problem, OSError) and problem.strerror else str(problem)
    if writing:
        line = t("cannot write {path}: {error}", path=str(path), error=error)
    else:
        line = t("cannot read {path}: {error}", path=str(path), error=error)
    sys.stderr.write(line + "\n")


def _regular(descriptor: int, t: Translator) -> os.stat_result:
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(t("not a regular file"))
    return info


def read_bytes(path: Path, t: Translator, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole content of a regular file of at most `limit` bytes; FileRefused or OSError otherwise."""
    # O_NONBLOCK: opening a FIFO with no writer returns at once (and is then refused) instead of waiting forever.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        if _regular(descriptor, t).st_size > limit:
            raise FileRefused(t("larger than {limit} MB", limit=limit // (1024 * 1024)))
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew since it was measured
        raise FileRefused(t("larger than {limit} MB", limit=limit // (1024 * 1024)))
    return data


def read_text_file(path: Path, t: Translator, *, limit: int = MAX_FILE_BYTES) -> str | None:
    """The file's UTF-8 text (a byte-order mark is dropped), or None after saying in one line why it was not read."""
    try:
        return read_bytes(path, t, limit=limit).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError, FileRefused) as problem:
        _refuse(t, path, problem, writing=False)
        return None


def write_file(path: Path, data: bytes, t: Translator) -> bool:
    """Write `data` to a new or regular file; False after saying in one line why not (a FIFO, a device, a folder)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK, 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            _regular(descriptor, t)
            handle.truncate(0)
            handle.write(data)
    except (OSError, FileRefused) as problem:
        _refuse(t, path, problem, writing=True)
        return False
    return True
