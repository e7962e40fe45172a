"""`bravo privacy export|forget --email E`: a person's data, and the right to be forgotten."""

from __future__ import annotations

import argparse
import json
import sys

from bot.runtime import Runtime
from handlers.i18n import Translator
from handlers.privacy import export_person, forget_person
from storage import people as people_store


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    privacy = subcommands.add_parser("privacy", help="export or forget what Bravo stores about a person")
    actions = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="print everything about a person as JSON")
    export.add_argument("--email", required=True)
    export.set_defaults(func=_export)
    forget = actions.add_parser("forget", help="pseudonymise a person; their kudos stay, without their name")
    forget.add_argument("--email", required=True)
    forget.set_defaults(func=_forget)


async def _export(args: argparse.Namespace, runtime: Runtime) -> int:
    async with runtime.database.sessions() as session:
        person = await people_store.person_by_email(session, email=args.email)
        if person is None:
            return _unknown(args.email, runtime)
        data = await export_person(session, person=person)
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


async def _forget(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    async with runtime.database.transaction() as session:
        person = await people_store.person_by_email(session, email=args.email)
        if person is None:
            return _unknown(args.email, runtime)
        report = await forget_person(session, person=person, t=t)
    sys.stdout.write(
        t(
            "Person {id} forgotten; {rows} rows that only served to reach them were removed.",
            id=report.person_id,
            rows=report.rows_removed,
        )
        + "\n"
    )
    return 0


def _unknown(email: str, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    sys.stderr.write(t("No one with the email {email} is in the directory.", email=email) + "\n")
    return 1
