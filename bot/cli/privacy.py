"""`bravo privacy export|forget --email E`: a person's data, and the right to be forgotten; `bravo privacy retention`:
the free-text retention limits, applied at once with `--now` (the scheduler applies them daily)."""

from __future__ import annotations

import argparse
import json
import sys

from bot.runtime import Runtime
from handlers.i18n import Translator
from handlers.privacy import export_person, forget_person
from handlers.retention import apply_retention, retention_enabled
from storage import people as people_store
from storage.models.base import utcnow


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    privacy = subcommands.add_parser("privacy", help="export or forget what Bravo stores about a person")
    actions = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="print everything about a person as JSON")
    export.add_argument("--email", required=True)
    export.set_defaults(func=_export)
    forget = actions.add_parser("forget", help="pseudonymise a person; their kudos stay, without their name")
    forget.add_argument("--email", required=True)
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation (needed without a terminal)")
    forget.set_defaults(func=_forget)
    retention = actions.add_parser("retention", help="show the free-text retention limits; --now applies them")
    retention.add_argument("--now", action="store_true", help="remove the text older than the limits now")
    retention.set_defaults(func=_retention)


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
    async with runtime.database.sessions() as session:
        person = await people_store.person_by_email(session, email=args.email)
    if person is None:
        return _unknown(args.email, runtime)
    if not args.yes:
        refused = confirm_forget(t, name=person.display_name, email=args.email)
        if refused is not None:
            return refused
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


async def _retention(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    policy = runtime.policy
    if not retention_enabled(policy):
        sys.stdout.write(
            t(
                "Retention is off: kudos reasons and pulse comments are kept (set BRAVO_KUDOS_TEXT_RETENTION_DAYS or "
                "BRAVO_COMMENT_RETENTION_DAYS)."
            )
            + "\n"
        )
        return 0
    limits = t(
        "Kudos reasons are kept {kudos} days, pulse comments {comments} days after their pulse closes (0: forever).",
        kudos=policy.kudos_text_retention_days,
        comments=policy.comment_retention_days,
    )
    sys.stdout.write(limits + "\n")
    if not args.now:
        sys.stdout.write(t("Bravo applies them once a day; --now applies them at once.") + "\n")
        return 0
    async with runtime.database.transaction() as session:
        report = await apply_retention(session, policy=policy, now=utcnow())
    sys.stdout.write(report.summary(t) + "\n")
    return 0


def confirm_forget(t: Translator, *, name: str, email: str) -> int | None:
    """Ask before forgetting someone for good: None to go ahead, else the exit code. Without a terminal to ask,
    `--yes` is required, so a script never forgets someone by accident."""
    if not sys.stdin.isatty():
        sys.stderr.write(t("Forgetting someone cannot be undone: add --yes to confirm.") + "\n")
        return 2
    sys.stdout.write(
        t(
            "Forget {name} ({email})? Their kudos stay, without their name. This cannot be undone.",
            name=name,
            email=email,
        )
        + " "
        + t("Type yes to confirm:")
        + " "
    )
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().casefold()
    if answer in {"yes", "y", t("yes").casefold()}:
        return None
    sys.stdout.write(t("Nothing was changed.") + "\n")
    return 1


def _unknown(email: str, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    sys.stderr.write(t("No one with the email {email} is in the directory.", email=email) + "\n")
    return 1
