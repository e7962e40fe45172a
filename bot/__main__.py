"""`bravo` and `python -m bot`: parse the command line, load settings, run the command."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from bot.cli import build_parser
from bot.config import SettingsError, load_settings
from bot.logs import configure_logging
from bot.runtime import open_runtime
from bot.secret_key import SecretKeyError, with_secret_key
from handlers.i18n import Translator


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
    except OSError as error:
        sys.stderr.write(f"bravo: cannot reach the database ({settings.database_url.split('@')[-1]}): {error}\n")
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return asyncio.run(_main(argv))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
