"""`bravo pulse …` as an admin runs it, and the same pulse answered in the terminal chat."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.cli import build_parser
from bot.config import Settings, load_settings
from bot.runtime import Runtime, open_runtime
from storage.models import OutboxMessage, PulseRound
from tests.bot.test_cli import bravo


def _people(tmp_path: Path) -> Path:
    rows = ["email,name,team,manager_email,timezone,language", "lee@acme.test,Lee,,,Europe/Paris,"]
    rows += [f"eng{n}@acme.test,Eng {n},Engineering,lee@acme.test,Europe/Paris," for n in range(1, 7)]
    rows += [f"sales{n}@acme.test,Sales {n},Sales,lee@acme.test,America/Toronto,fr" for n in (1, 2)]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        yield opened


async def run(runtime: Runtime, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """A `bravo` subcommand on the test's runtime: (exit code, stdout, stderr)."""
    capsys.readouterr()
    args = build_parser().parse_args(list(argv))
    code = await args.func(args, runtime)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_bravo_command_sends_now_and_the_console_answers(database_url: str, tmp_path: Path) -> None:
    assert bravo("directory", "import", str(_people(tmp_path)), database_url=database_url).returncode == 0
    sent = bravo("pulse", "send", "--now", database_url=database_url, BRAVO_LANGUAGE="fr")
    assert sent.returncode == 0, sent.stderr
    assert "2 pulses lancés." in sent.stdout and "Aucune messagerie n'est configurée" in sent.stdout
    chat = bravo("run", "--as", "Eng 1", database_url=database_url, stdin="/pulse\n10\n1\n")
    assert chat.returncode == 0, chat.stderr
    assert "Pulse check: question 1 of 3" in chat.stdout and "How likely are you to recommend" in chat.stdout
    assert "Pulse check: question 2 of 3" in chat.stdout and "previous question is saved" in chat.stdout


async def test_results_json_hide_teams_until_enough_people_answered(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (await run(runtime, capsys, "directory", "import", str(_people(tmp_path))))[0] == 0
    code, out, _ = await run(runtime, capsys, "pulse", "send", "--now")
    assert code == 0 and "2 pulses started." in out and "No chat platform is configured" in out
    assert "0 pulses started." in (await run(runtime, capsys, "pulse", "send", "--now"))[1]
    code, out, _ = await run(runtime, capsys, "pulse", "results", "--json")
    document = json.loads(out)
    assert [(team["team"], team["closed"], team["answered"]) for team in document["teams"]] == [
        ("Engineering", False, 0),
        ("Sales", False, 0),
    ]
    assert "1 pulse closed." in (await run(runtime, capsys, "pulse", "close", "--team", "Sales"))[1]
    assert "1 pulse closed." in (await run(runtime, capsys, "pulse", "close"))[1]
    code, out, _ = await run(runtime, capsys, "pulse", "results", "--json")
    document = json.loads(out)
    assert [(team["team"], team["hidden"]) for team in document["teams"]] == [("Engineering", True), ("Sales", True)]
    assert document["threshold"] == 5 and document["organisation"]["hidden"] is True
    code, _, err = await run(runtime, capsys, "pulse", "results", "--team", "Nobody")
    assert code == 1 and "no team is called Nobody" in err
    code, out, _ = await run(runtime, capsys, "pulse", "results", "--team", "Engineering")
    assert "Engineering: not enough answers yet" in out and "Sales" not in out


async def test_questions_can_be_added_imported_listed_and_retired(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = await run(
        runtime, capsys, "pulse", "questions", "add", "--driver", "focus", "--scale", "yesno",
        "--en", "Did you get a day of deep work this week?", "--fr", "Avez-vous eu une journée de travail profond ?",
    )  # fmt: skip
    assert code == 0 and "1 added, 0 updated" in out, err
    code, _, err = await run(
        runtime, capsys, "pulse", "questions", "add", "--driver", "enps", "--scale", "agree5", "--en", "x?"
    )
    assert code == 1 and "0-10" in err
    path = tmp_path / "questions.json"
    questions = [
        {"key": "meetings-1", "driver": "workload", "scale": "agree5", "text": {"en": "Meetings are useful."}},
        {"driver": "workload", "scale": "stars", "text": {"en": "Broken"}},
    ]
    path.write_text(json.dumps({"questions": questions}), encoding="utf-8")
    code, out, err = await run(runtime, capsys, "pulse", "questions", "import", str(path))
    assert code == 0 and "1 added" in out and "question 2:" in err
    assert "0 added, 1 updated" in (await run(runtime, capsys, "pulse", "questions", "import", str(path)))[1]
    assert (await run(runtime, capsys, "pulse", "questions", "retire", "meetings-1"))[0] == 0
    listed = json.loads((await run(runtime, capsys, "pulse", "questions", "list", "--json"))[1])["questions"]
    keys = {question["key"]: question for question in listed}
    assert keys["custom-focus-1"]["text"]["fr"] == "Avez-vous eu une journée de travail profond ?"
    assert keys["meetings-1"]["active"] is False and keys["enps"]["builtin"] is True
    assert len(listed) == 33
    assert "(retired)" in (await run(runtime, capsys, "pulse", "questions", "list"))[1]


async def test_plans_are_set_per_team_and_shown(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (await run(runtime, capsys, "directory", "import", str(_people(tmp_path))))[0] == 0
    assert (await run(runtime, capsys, "pulse", "plan", "set", "--cadence", "biweekly"))[0] == 0
    code, out, err = await run(
        runtime, capsys, "pulse", "plan", "set", "--team", "Sales", "--cadence", "monthly", "--weekday", "fri",
        "--time", "9:00", "--questions", "4", "--window-hours", "72",
    )  # fmt: skip
    assert code == 0, err
    lines = {line.split(":")[0]: line for line in out.splitlines()}
    assert "biweekly on tuesday at 10:00 local time, 3 questions, open 48 h, on" in lines["every team"]
    assert "biweekly on tuesday" in lines["Engineering"]
    assert "monthly on friday at 09:00 local time, 4 questions, open 72 h, on" in lines["Sales"]
    assert "open 72 h, off" in (await run(runtime, capsys, "pulse", "plan", "set", "--team", "Sales", "--off"))[1]
    assert (await run(runtime, capsys, "pulse", "plan", "set", "--team", "Engineering", "--questions", "1"))[0] == 0
    lines = {line.split(":")[0]: line for line in (await run(runtime, capsys, "pulse", "plan", "show"))[1].splitlines()}
    assert lines["Sales"].endswith("open 72 h, off") and "next pulse day" not in lines["Sales"]
    assert ", 1 question, open 48 h, on; next pulse day 20" in lines["Engineering"]
    code, _, err = await run(runtime, capsys, "pulse", "plan", "set", "--time", "25:00", "--weekday", "someday")
    assert code == 1 and "09:30" in err and "someday" in err and len(err.splitlines()) == 1
    code, _, err = await run(runtime, capsys, "pulse", "plan", "set", "--team", "Nobody", "--questions", "2")
    assert code == 1 and "Nobody" in err


async def test_plan_settings_are_validated_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAVO_PULSE_WEEKDAY", "Fri")
    monkeypatch.setenv("BRAVO_PULSE_TIME", "8:15")
    policy = load_settings(_env_file=None).policy()
    assert (policy.pulse_weekday, policy.pulse_time) == (4, "08:15")
    monkeypatch.setenv("BRAVO_PULSE_TIME", "noon")
    with pytest.raises(Exception, match="BRAVO_PULSE_TIME"):
        load_settings(_env_file=None)


async def test_without_a_secret_key_no_pulse_is_sent_and_the_admin_is_told_in_one_line(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (await run(runtime, capsys, "directory", "import", str(_people(tmp_path))))[0] == 0
    keyless = Runtime(
        settings=runtime.settings, database=runtime.database, policy=replace(runtime.policy, secret_key="")
    )
    code, out, err = await run(keyless, capsys, "pulse", "send", "--now")
    assert code == 1 and out == "" and err.count("\n") == 1 and "BRAVO_SECRET_KEY is not set" in err
    async with runtime.database.sessions() as session:
        assert (await session.exec(select(func.count()).select_from(OutboxMessage))).one() == 0
        assert (await session.exec(select(func.count()).select_from(PulseRound))).one() == 0


async def test_results_show_small_teams_rolled_up_in_text_and_json(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo: Sales and Customer Care (3 people each, both under Dana) are shown together, never alone."""
    from bot.console.demo import seed_demo
    from handlers.pulse import close_now, send_now
    from storage import people as people_store
    from storage.models.base import utcnow
    from tests.handlers.pulse.test_support import answer_question

    policy, now = runtime.policy, utcnow()
    async with runtime.database.transaction() as session:
        await seed_demo(session, values=policy.company_values)
        await send_now(session, policy=policy, now=now)
        teams = {name: await people_store.team_by_name(session, name=name) for name in ("Sales", "Customer Care")}
        members = {name: await people_store.team_members(session, team_id=t.id or 0) for name, t in teams.items() if t}
    for people in members.values():
        await answer_question(runtime.database, people, "enps", [9, 7, 10], policy, now)
    async with runtime.database.transaction() as session:
        await close_now(session, now=now)
    code, out, _ = await run(runtime, capsys, "pulse", "results", "--team", "Sales")
    assert code == 0 and "Sales: not enough answers yet" in out
    assert "Customer Care + Sales (small teams shown together): 6 of 6 answered (100%)" in out, out
    code, out, _ = await run(runtime, capsys, "pulse", "results", "--json", "--team", "Sales")
    document = json.loads(out)
    assert code == 0 and document["teams"][0]["rolled_up_into"] == "Customer Care + Sales"
    (rollup,) = document["rollups"]
    (enps,) = [question for question in rollup["questions"] if question["id"] == "enps"]
    assert rollup["answered"] == 6 and enps["distribution"]["10"] == 2 and enps["enps"] == 66.7  # 4 promoters of 6
