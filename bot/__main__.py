"""`bravo` and `python -m bot`: parse the command line, load settings, run the command."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.cli import build_parser
from bot.config import SettingsError, load_settings
from bot.logs import configure_logging
from bot.runtime import open_runtime
from bot.secret_key import SecretKeyError, with_secret_key
from handlers.i18n import Translator
from storage.db_errors import DatabaseUnavailable, describe

BROKEN_PIPE_STATUS = 141  # 128 + SIGPIPE, what a shell reports for `yes | head -1`


async def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        settings, created = with_secret_key(settings)
    except (SettingsError, SecretKeyError) as error:
        sys.stderr.write(f"bravo: {error}\n")
        return 2
    if created:
        t = Translator(settings.language)
        told = t(
            "Created the secret key {path}, readable by you only: back it up apart from the database.", path=created
        )
        sys.stderr.write(f"bravo: {told}\n")
    configure_logging(settings.log_level)
    try:
        async with open_runtime(settings, migrate=getattr(args, "migrate", True)) as runtime:
            return int(await args.func(args, runtime))
    except BrokenPipeError:
        raise  # not a database problem: whoever read the output has gone
    except DatabaseUnavailable as error:
        sys.stderr.write(f"bravo: {error}\n")
        return 1
    except (OSError, DBAPIError) as error:
        sys.stderr.write(f"bravo: {describe(error, make_url(settings.database_url))}\n")
        return 1


def _reader_gone() -> int:
    """`bravo … | head -1`: the reader closed the pipe, so stop quietly, as Unix tools do (no message, 141)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush would fail again otherwise
    return BROKEN_PIPE_STATUS


def main(argv: Sequence[str] | None = None) -> int:
    try:
        status = asyncio.run(_main(argv))
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        return _reader_gone()
    return status


if __name__ == "__main__":
    sys.exit(main())
