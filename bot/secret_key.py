"""The server's secret key: from `BRAVO_SECRET_KEY`, else from a key file kept outside the database.

The key seals what the database must not say (who wrote a comment, whom a follow-up notice goes to) and derives
what nobody may recompute from the database alone. It is never written to the database, so a copy of the database
(a backup, a leaked file, an admin's read access) is not enough to link anyone to an answer.

Without `BRAVO_SECRET_KEY`, Bravo reads `BRAVO_SECRET_KEY_FILE` (default `./data/bravo.key`). The console demo (no
Slack or Teams configured) creates that file on first start, readable by its owner only; with a platform configured
Bravo refuses to start without a key rather than invent one an operator does not know to back up. A key that is too
short or too repetitive, and a key file others can read, are refused in one line.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings

MIN_KEY_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10
KEY_BYTES = 32
HOW_TO_MAKE = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class SecretKeyError(Exception):
    """No usable key; the message is one line saying what to do."""


@dataclass(frozen=True)
class SecretKey:
    """The key, and the file it was just created in (None when it already existed or came from the environment)."""

    value: str
    created: Path | None = None


def weakness(key: str) -> str | None:
    """Why a key is too weak to seal anything (too short, too repetitive), or None when it will do."""
    if len(key) < MIN_KEY_LENGTH:
        return f"too short ({len(key)} characters; at least {MIN_KEY_LENGTH})"
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return f"too repetitive (only {len(set(key))} different characters; use a random value)"
    return None


def read_key_file(path: Path) -> str | None:
    """The key in `path`, None when there is no such file; refused when anyone but its owner can read it."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(status.st_mode):
        raise SecretKeyError(f"BRAVO_SECRET_KEY_FILE: {path} is not a regular file")
    if status.st_mode & 0o077:
        mode = stat.S_IMODE(status.st_mode)
        raise SecretKeyError(
            f"BRAVO_SECRET_KEY_FILE: {path} can be read or changed by others than its owner (mode {mode:o}); "
            f"run: chmod 600 {path}"
        )
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise SecretKeyError(f"BRAVO_SECRET_KEY_FILE: cannot read {path}: {error}") from None


def create_key_file(path: Path) -> str:
    """A new random key in `path`, created atomically with owner-only permissions (never over an existing file)."""
    key = secrets.token_urlsafe(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise SecretKeyError(f"BRAVO_SECRET_KEY_FILE: cannot create {path}: {error.strerror or error}") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return key


def resolve_secret_key(settings: Settings) -> SecretKey:
    """The key Bravo runs with, checked; the console demo's key file is created when missing."""
    if settings.secret_key:
        problem = weakness(settings.secret_key)
        if problem:
            raise SecretKeyError(f"BRAVO_SECRET_KEY: {problem}; make one with: {HOW_TO_MAKE}")
        return SecretKey(settings.secret_key)
    path = Path(settings.secret_key_file).expanduser()
    key = read_key_file(path)
    if key is None and settings.platforms:
        raise SecretKeyError(
            f"no secret key: set BRAVO_SECRET_KEY to the output of {HOW_TO_MAKE}, or write that output to {path} "
            f"(chmod 600); keep it out of the database's backups"
        )
    if key is None:
        try:
            return SecretKey(create_key_file(path), created=path)
        except SecretKeyError:
            key = read_key_file(path)  # another process created it first
            if key is None:
                raise
    problem = weakness(key)
    if problem:
        raise SecretKeyError(f"BRAVO_SECRET_KEY_FILE: the key in {path} is {problem}; make one with: {HOW_TO_MAKE}")
    return SecretKey(key)


def with_secret_key(settings: Settings) -> tuple[Settings, Path | None]:
    """The settings with their key in place, and the key file just created (to say so), if any."""
    key = resolve_secret_key(settings)
    return settings.model_copy(update={"secret_key": key.value}), key.created
