"""`bravo teams-package` (the Teams app zip to upload) and `bravo teams-roster` (sync every team's members)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bot.cli.files import write_file
from bot.runtime import Runtime
from handlers.i18n import Translator

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's subcommands."""
    package = subcommands.add_parser("teams-package", help="write the Microsoft Teams app package (a zip to upload)")
    package.add_argument("--out", type=Path, default=Path("bravo-teams.zip"), help="where to write the zip")
    package.add_argument("--bot-id", help="the Azure Bot's app id (default: MICROSOFT_APP_ID)")
    package.add_argument(
        "--public-url", default="https://example.com/bravo", help="HTTPS address of Bravo (developer and valid domain)"
    )
    package.add_argument("--developer", default="Bravo", help="publisher name shown in Teams")
    package.add_argument(
        "--privacy-url", default="", help="privacy page (default: the one Bravo serves, <public-url>/privacy)"
    )
    package.add_argument(
        "--terms-url", default="", help="terms of use (default: the page Bravo serves, <public-url>/terms)"
    )
    package.set_defaults(func=_package, migrate=False)

    roster = subcommands.add_parser("teams-roster", help="sync the members of every Teams team Bravo is installed in")
    roster.set_defaults(func=_roster)


async def _package(args: argparse.Namespace, runtime: Runtime) -> int:
    from bot.teams.package import PackageOptions, build_package, https_address

    t = Translator(runtime.policy.language)
    bot_id = (args.bot_id or runtime.settings.microsoft_app_id).strip()
    if not GUID.match(bot_id):
        sys.stderr.write(t("Set MICROSOFT_APP_ID (or --bot-id) to the Azure Bot's app id, a GUID.") + "\n")
        return 2
    for option, value in (
        ("--public-url", args.public_url),
        ("--privacy-url", args.privacy_url),
        ("--terms-url", args.terms_url),
    ):
        if value and not https_address(value):
            sys.stderr.write(
                t("{option} must be an https:// address, not {value}", option=option, value=" ".join(value.split()))
                + "\n"
            )
            return 2
    options = PackageOptions(
        bot_id=bot_id,
        public_url=args.public_url,
        developer=args.developer,
        daily_allowance=runtime.policy.daily_allowance,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
    )
    if not write_file(args.out, build_package(options), t):
        return 1
    sys.stdout.write(t("Teams app package written to {path}", path=str(args.out)) + "\n")
    return 0


async def _roster(args: argparse.Namespace, runtime: Runtime) -> int:
    from bot.teams.adapter import build_adapter
    from bot.teams.roster import sync_all_rosters

    t = Translator(runtime.policy.language)
    if not runtime.settings.teams_enabled:
        sys.stderr.write(t("Teams is not configured: set MICROSOFT_APP_ID.") + "\n")
        return 2
    counts = await sync_all_rosters(
        build_adapter(runtime.settings), runtime.database, app_id=runtime.settings.microsoft_app_id
    )
    for team, count in counts.items():
        sys.stdout.write(t.plural("{team}: {count} person synced", "{team}: {count} people synced", count, team=team))
        sys.stdout.write("\n")
    if not counts:
        sys.stdout.write(t("Bravo is not installed in any Teams team yet.") + "\n")
    return 0
