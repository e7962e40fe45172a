"""The `bravo` command facing a database it cannot use, or a reader that goes away: one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.cli import ROOT, TIMEOUT_SECONDS, clean_environment, run_bravo


def test_a_postgresql_database_that_does_not_exist_is_named_with_how_to_create_it(postgres_url: str) -> None:
    missing = make_url(postgres_url).set(database="bravo_never_created")
    result = run_bravo("status", database_url=missing.render_as_string(hide_password=False))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"bravo: database bravo_never_created does not exist on {missing.host}:")
    assert "createdb" in lines[0] and "bravo_never_created" in lines[0].rsplit(" ", 1)[-1]


def test_an_unreachable_server_is_one_line() -> None:
    result = run_bravo("status", database_url="postgresql://bravo@127.0.0.1:1/bravo")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("bravo: cannot reach the database at 127.0.0.1:1: ")


def test_an_sqlite_database_in_a_missing_folder_is_refused_not_created(tmp_path: Path) -> None:
    """A mistyped path must not start an empty database that `bravo status` then calls healthy."""
    path = tmp_path / "typo" / "bravo.db"
    result = run_bravo("status", database_url=f"sqlite:///{path}")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"bravo: the folder {path.parent} of the SQLite database does not exist; create it (mkdir -p {path.parent}) "
        "or correct DATABASE_URL"
    ]
    assert not path.parent.exists()


def test_the_default_database_folder_is_still_created_on_first_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "status"],
        capture_output=True,
        text=True,
        env={**clean_environment(), "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        timeout=TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "bravo.db").is_file()


def test_a_reader_that_goes_away_ends_the_command_quietly(database_url: str) -> None:
    """`bravo … | head -1`: the pipe closes before Bravo writes; that is not a database problem, and says nothing."""
    for command in (("pulse", "questions", "list", "--json"), ("status",)):  # more than a buffer, and less
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=clean_environment(DATABASE_URL=database_url),
            cwd=ROOT,
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        errors = process.stderr.read().decode()
        assert process.wait(timeout=TIMEOUT_SECONDS) == 141
        assert errors == ""
