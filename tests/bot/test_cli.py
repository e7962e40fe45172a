"""The `bravo` command as a newcomer runs it: console help in two languages, directory import, bad settings."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli import run_bravo
from tests.conftest import both_engines


def bravo(*args: str, database_url: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return run_bravo(*args, database_url=database_url, stdin=stdin, **env)


def test_console_help_in_english_and_french(database_url: str) -> None:
    english = bravo("run", database_url=database_url, stdin="/help\n")
    assert english.returncode == 0, english.stderr
    assert "/kudos leaderboard" in english.stdout and "show this list" in english.stdout
    french = bravo("run", database_url=database_url, stdin="/help\n", BRAVO_LANGUAGE="fr")
    assert french.returncode == 0, french.stderr
    assert "afficher cette liste" in french.stdout


def test_console_chats_as_the_chosen_person_and_explains_unknown_names(database_url: str) -> None:
    result = bravo("run", "--as", "Claire", database_url=database_url, stdin="")
    assert result.returncode == 0 and "Claire Petit" in result.stdout
    unknown = bravo("run", "--as", "Nobody", database_url=database_url, stdin="")
    assert unknown.returncode == 2 and "Bob Smith" in unknown.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "not-a-port"),
        ("BRAVO_TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://x"),
        ("BRAVO_LANGUAGE", "de"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(name: str, value: str, database_url: str) -> None:
    result = bravo("run", database_url=database_url, **{name: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in result.stderr


@both_engines
def test_directory_import_names_bad_lines_keeps_good_rows_and_is_idempotent(database_url: str, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "email,name,team,manager_email,timezone,language\n"
        "alice@acme.test,Alice,Engineering,,Europe/Paris,fr\n"
        "bob@acme.test,Bob,Engineering,alice@acme.test,,\n"
        "broken,Nobody,Engineering,,,\n"
        "carol@acme.test,Carol,Sales,alice@acme.test,,en\n",
        encoding="utf-8",
    )
    first = bravo("directory", "import", str(people), database_url=database_url)
    assert first.returncode == 0, first.stderr
    assert "line 4" in first.stderr and "broken" in first.stderr
    assert "3 created" in first.stdout
    second = bravo("directory", "import", str(people), database_url=database_url)
    assert "0 created, 0 updated, 3 unchanged, 0 new teams" in second.stdout
