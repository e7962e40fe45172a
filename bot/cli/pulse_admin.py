"""`bravo pulse questions …` and `bravo pulse plan …`: the question bank and each team's pulse plan."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.files import read_text_file
from bot.runtime import Runtime
from handlers.i18n import Translator
from handlers.pulse import (
    CADENCES,
    DRIVERS,
    MAX_QUESTIONS,
    MAX_WINDOW_HOURS,
    SCALES,
    WEEKDAYS,
    QuestionSpec,
    add_questions,
    ensure_bank,
    next_pulse_day,
    parse_clock,
    parse_question_file,
    parse_weekday,
    resolve_plan,
    spec_problem,
)
from storage import people as people_store
from storage.pulse import rounds as pulse_store


def register_admin(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    questions = actions.add_parser("questions", help="the question bank")
    question_actions = questions.add_subparsers(dest="questions_command", required=True, metavar="ACTION")
    listing = question_actions.add_parser("list", help="every question, shipped and added")
    listing.add_argument("--json", action="store_true", help="machine-readable output (the import file format)")
    listing.set_defaults(func=_list_questions)
    add = question_actions.add_parser("add", help="add a question of your own")
    add.add_argument("--driver", required=True, help=", ".join(DRIVERS) + ", or a driver of your own")
    add.add_argument("--scale", required=True, choices=tuple(SCALES), help="answer scale")
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


def _spec(args: argparse.Namespace) -> QuestionSpec:
    english = args.en.strip()
    return QuestionSpec(
        driver=args.driver.strip().lower(),
        scale=args.scale,
        text_en=english,
        text_fr=(args.fr or "").strip() or english,
        key=args.key.strip().lower() if args.key else None,
    )


async def _add_question(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    spec = _spec(args)
    problem = spec_problem(spec, t)
    if problem:
        sys.stderr.write(problem + "\n")
        return 1
    async with runtime.database.transaction() as session:
        report = await add_questions(session, [spec])
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
    async with runtime.database.transaction() as session:
        await ensure_bank(session)
        question = await pulse_store.question_by_key(session, key=args.key.strip().lower())
        if question is None:
            sys.stderr.write(t("no question has the key {key}", key=args.key) + "\n")
            return 1
        question.active = False
        await pulse_store.save_question(session, question)
    sys.stdout.write(t("{key} will no longer be asked.", key=question.key) + "\n")
    return 0


async def _list_questions(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    async with runtime.database.transaction() as session:
        await ensure_bank(session)
        questions = await pulse_store.all_questions(session)
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
    today = datetime.now(UTC).date()
    async with runtime.database.sessions() as session:
        rows = await pulse_store.plan_rows(session)
        teams = await people_store.all_teams(session)
    for name, team_id in [(t("every team"), None), *((team.name, team.id) for team in teams)]:
        plan = resolve_plan(runtime.policy, (rows.get(None), rows.get(team_id) if team_id else None))
        state = t("on") if plan.enabled else t("off")
        sys.stdout.write(
            t(
                "{team}: {cadence} on {weekday} at {time} local time, {questions} questions, open {hours} h, "
                "{state}; next pulse day {day}",
                team=name,
                cadence=plan.cadence,
                weekday=WEEKDAYS[plan.weekday],
                time=plan.local_time,
                questions=plan.questions,
                hours=plan.window_hours,
                state=state,
                day=next_pulse_day(plan, today).isoformat(),
            )
            + "\n"
        )
    return 0


async def _set_plan(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    weekday = parse_weekday(args.weekday) if args.weekday else None
    clock = parse_clock(args.time) if args.time else None
    problems = []
    if args.weekday and weekday is None:
        problems.append(t("unknown weekday '{value}'", value=args.weekday))
    if args.time and clock is None:
        problems.append(t("the time must look like 09:30, not '{value}'", value=args.time))
    if args.questions is not None and not 1 <= args.questions <= MAX_QUESTIONS:
        problems.append(t("questions per pulse must be between 1 and {limit}", limit=MAX_QUESTIONS))
    if args.window_hours is not None and not 1 <= args.window_hours <= MAX_WINDOW_HOURS:
        problems.append(t("the window must be between 1 and {limit} hours", limit=MAX_WINDOW_HOURS))
    if problems:
        sys.stderr.write("\n".join(problems) + "\n")
        return 1
    async with runtime.database.transaction() as session:
        team = await people_store.team_by_name(session, name=args.team) if args.team else None
        if args.team and team is None:
            sys.stderr.write(t("no team is called {team}", team=args.team) + "\n")
            return 1
        row = await pulse_store.plan_row(session, team_id=team.id if team else None)
        row.cadence = args.cadence or row.cadence
        row.weekday = weekday if weekday is not None else row.weekday
        row.local_time = clock or row.local_time
        row.questions = args.questions or row.questions
        row.window_hours = args.window_hours or row.window_hours
        row.enabled = row.enabled if args.enabled is None else args.enabled
        session.add(row)
    return await _show_plans(args, runtime)
