"""`bravo pulse questions …` and `bravo pulse plan …`: the question bank and each team's pulse plan."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.files import read_text_file
from bot.cli.use_case import refuse, request_from
from bot.runtime import Runtime
from handlers.i18n import Translator
from handlers.pulse import (
    ADMIN_SCALES,
    CADENCES,
    DRIVERS,
    MAX_QUESTIONS,
    MAX_WINDOW_HOURS,
    WEEKDAYS,
    PlanChange,
    PlanEditError,
    QuestionEditError,
    TeamPlan,
    add_question,
    add_questions,
    edit_plan,
    parse_question_file,
    plan_overview,
    question_bank,
    question_spec,
    retire_question,
)


def register_admin(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    questions = actions.add_parser("questions", help="the question bank")
    question_actions = questions.add_subparsers(dest="questions_command", required=True, metavar="ACTION")
    listing = question_actions.add_parser("list", help="every question, shipped and added")
    listing.add_argument("--json", action="store_true", help="machine-readable output (the import file format)")
    listing.set_defaults(func=_list_questions)
    add = question_actions.add_parser("add", help="add a question of your own")
    add.add_argument("--driver", required=True, help=", ".join(DRIVERS) + ", or a driver of your own")
    add.add_argument("--scale", required=True, choices=ADMIN_SCALES, help="answer scale")
    add.add_argument("--en", required=True, metavar="TEXT", help="the question in English")
    add.add_argument("--fr", metavar="TEXT", help="the question in French (defaults to the English)")
    add.add_argument("--key", help="a stable id (a-z, 0-9, . _ -); adding an existing key updates it")
    add.set_defaults(func=_add_question)
    importer = question_actions.add_parser("import", help="add or update questions from a JSON file")
    importer.add_argument("path", type=Path, help='{"questions": [{"key", "driver", "scale", "text": {"en", "fr"}}]}')
    importer.set_defaults(func=_import_questions)
    retire = question_actions.add_parser("retire", help="stop asking a question (its results stay)")
    retire.add_argument("key")
    retire.set_defaults(func=_retire_question)

    plan = actions.add_parser("plan", help="when each team is asked")
    plan_actions = plan.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    show = plan_actions.add_parser("show", help="the plan of every team")
    show.set_defaults(func=_show_plans)
    change = plan_actions.add_parser("set", help="change the plan of one team, or of all teams without --team")
    change.add_argument("--team", metavar="NAME", help="the team (default: every team without its own value)")
    change.add_argument("--cadence", choices=CADENCES)
    change.add_argument("--weekday", help=", ".join(WEEKDAYS))
    change.add_argument("--time", help="local time of day in each person's own time zone, HH:MM")
    change.add_argument("--questions", type=int, help=f"questions per pulse, 1-{MAX_QUESTIONS}")
    change.add_argument("--window-hours", type=int, help=f"hours a pulse stays open, 1-{MAX_WINDOW_HOURS}")
    switch = change.add_mutually_exclusive_group()
    switch.add_argument("--on", dest="enabled", action="store_true", default=None, help="send pulses")
    switch.add_argument("--off", dest="enabled", action="store_false", help="send no pulses")
    change.set_defaults(func=_set_plan)


async def _add_question(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    spec = question_spec(
        driver=args.driver, scale=args.scale, english=args.en, french=args.fr or "", key=args.key or ""
    )
    try:
        async with runtime.database.transaction() as session:
            report = await add_question(session, spec)
    except QuestionEditError as error:
        return refuse(t, error)
    sys.stdout.write(t("{added} added, {updated} updated", added=report.added, updated=report.updated) + "\n")
    return 0


async def _import_questions(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    text = read_text_file(args.path, t)
    if text is None:
        return 1
    specs, errors = parse_question_file(text, t)
    for error in errors:
        sys.stderr.write(error + "\n")
    async with runtime.database.transaction() as session:
        report = await add_questions(session, specs)
    sys.stdout.write(t("{added} added, {updated} updated", added=report.added, updated=report.updated) + "\n")
    return 1 if errors and not specs else 0


async def _retire_question(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    try:
        async with runtime.database.transaction() as session:
            question = await retire_question(session, key=args.key)
    except QuestionEditError as error:
        return refuse(t, error)
    sys.stdout.write(t("{key} will no longer be asked.", key=question.key) + "\n")
    return 0


async def _list_questions(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    async with runtime.database.transaction() as session:
        questions = await question_bank(session)
    if args.json:
        items = [
            {
                "key": q.key,
                "driver": q.driver,
                "scale": q.scale,
                "active": q.active,
                "builtin": q.builtin,
                "text": {"en": q.text_en, "fr": q.text_fr},
            }
            for q in questions
        ]
        sys.stdout.write(json.dumps({"questions": items}, ensure_ascii=False, indent=2) + "\n")
        return 0
    for q in questions:
        state = " " + t("(retired)") if not q.active else ""
        text = q.text_fr if t.language == "fr" else q.text_en
        sys.stdout.write(f"{q.key:<18} {q.driver:<14} {q.scale:<8} {text}{state}\n")
    return 0


async def _show_plans(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    async with runtime.database.sessions() as session:
        overview = await plan_overview(session, runtime.policy, today=datetime.now(UTC).date())
    for item in overview:
        sys.stdout.write(plan_line(t, item) + "\n")
    return 0


def plan_line(t: Translator, item: TeamPlan) -> str:
    """One team's plan; its next pulse day only while its pulses are on."""
    plan = item.plan
    line = t(
        "{team}: {cadence} on {weekday} at {time} local time, {questions}, open {hours} h",
        team=t("every team") if item.team is None else item.team,
        cadence=plan.cadence,
        weekday=WEEKDAYS[plan.weekday],
        time=plan.local_time,
        questions=t.plural("{count} question", "{count} questions", plan.questions),
        hours=plan.window_hours,
    )
    if item.next_day is None:
        return t("{plan}, off", plan=line)
    return t("{plan}, on; next pulse day {day}", plan=line, day=item.next_day.isoformat())


async def _set_plan(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    try:
        async with runtime.database.transaction() as session:
            await edit_plan(session, request_from(args, PlanChange))
    except PlanEditError as error:
        return refuse(t, error)
    return await _show_plans(args, runtime)
