"""The secret key lives outside the database: `BRAVO_SECRET_KEY`, else an owner-only key file. The console demo makes
the file on first start and says so; a server with Slack or Teams and no key stops with one line saying how to make
one; a weak key and a key file others can read are refused in one line. Never a traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.secret_key import HOW_TO_MAKE, SecretKeyError, create_key_file, resolve_secret_key, with_secret_key
from tests.cli import clean_environment

START_TIMEOUT_SECONDS = 120
STRONG = "Zq3v9-Lw_8pXc2RtY7mN4bKj6HsD1fGa0eUo5iTy"
SLACK = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "signing-secret"}


def _settings(monkeypatch: pytest.MonkeyPatch, key_file: Path, **values: str) -> Settings:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "TEAMS_ALLOW_UNAUTHENTICATED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRAVO_SECRET_KEY", "")
    monkeypatch.setenv("BRAVO_SECRET_KEY_FILE", str(key_file))
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return load_settings(_env_file=None)


def _refusal(settings: Settings) -> str:
    with pytest.raises(SecretKeyError) as raised:
        resolve_secret_key(settings)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_the_console_creates_an_owner_only_key_file_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "data" / "bravo.key"
    settings, created = with_secret_key(_settings(monkeypatch, path))
    assert created == path and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.secret_key == path.read_text().strip() and len(settings.secret_key) >= 32
    assert settings.policy().secret_key == settings.secret_key
    again, created_again = with_secret_key(_settings(monkeypatch, path))
    assert created_again is None and again.secret_key == settings.secret_key


def test_a_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "bravo.key"
    create_key_file(path)
    first = path.read_text()
    with pytest.raises(SecretKeyError, match="cannot create"):
        create_key_file(path)
    assert path.read_text() == first


def test_the_key_in_the_environment_comes_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "bravo.key"
    settings = _settings(monkeypatch, path, BRAVO_SECRET_KEY=STRONG, **SLACK)
    assert resolve_secret_key(settings).value == STRONG and not path.exists()


def test_a_server_without_a_key_is_told_how_to_make_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "bravo.key"
    message = _refusal(_settings(monkeypatch, path, **SLACK))
    assert HOW_TO_MAKE in message and "BRAVO_SECRET_KEY" in message and str(path) in message
    assert not path.exists()


def test_a_server_uses_an_existing_key_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "bravo.key"
    create_key_file(path)
    assert resolve_secret_key(_settings(monkeypatch, path, **SLACK)).value == path.read_text().strip()


@pytest.mark.parametrize(
    ("key", "problem"),
    [("short-key-1234", "too short"), ("ab" * 20, "too repetitive")],
)
def test_a_weak_key_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, key: str, problem: str) -> None:
    from_environment = _refusal(_settings(monkeypatch, tmp_path / "none.key", BRAVO_SECRET_KEY=key))
    assert from_environment.startswith("BRAVO_SECRET_KEY: ") and problem in from_environment
    path = tmp_path / "weak.key"
    path.write_text(key)
    path.chmod(0o600)
    from_file = _refusal(_settings(monkeypatch, path))
    assert from_file.startswith("BRAVO_SECRET_KEY_FILE: ") and problem in from_file


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_key_file_others_can_read_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mode: int) -> None:
    path = tmp_path / "bravo.key"
    path.write_text(STRONG)
    path.chmod(mode)
    message = _refusal(_settings(monkeypatch, path))
    assert f"chmod 600 {path}" in message and STRONG not in message


def _bravo(folder: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`bravo ARGS` run from `folder`, as someone who cloned Bravo there would, with no key in the environment."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="",
        capture_output=True,
        text=True,
        env=clean_environment(BRAVO_SECRET_KEY="", **settings),
        cwd=folder,
        timeout=START_TIMEOUT_SECONDS,
    )


def test_the_console_demo_makes_its_key_under_data_and_says_so(tmp_path: Path) -> None:
    first = _bravo(tmp_path, "run")
    assert first.returncode == 0, first.stderr
    told = [line for line in first.stderr.splitlines() if "secret key" in line]
    assert told == [
        "bravo: Created the secret key data/bravo.key, readable by you only: back it up apart from the database."
    ]
    key_file = tmp_path / "data" / "bravo.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = _bravo(tmp_path, "run")
    assert second.returncode == 0 and "secret key" not in second.stderr
    assert "Traceback" not in first.stderr + second.stderr


def test_bravo_run_with_slack_and_no_key_stops_with_one_line(tmp_path: Path) -> None:
    done = _bravo(tmp_path, "run", DATABASE_URL=f"sqlite:///{tmp_path}/bravo.db", **SLACK)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("bravo: no secret key: set BRAVO_SECRET_KEY") and HOW_TO_MAKE in line
    assert not (tmp_path / "data").exists() and not (tmp_path / "bravo.db").exists()


def test_bravo_run_refuses_a_key_file_others_can_read(tmp_path: Path) -> None:
    key_file = tmp_path / "bravo.key"
    key_file.write_text(STRONG)
    os.chmod(key_file, 0o644)
    done = _bravo(tmp_path, "status", BRAVO_SECRET_KEY_FILE=str(key_file), **SLACK)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert (
        line == f"bravo: BRAVO_SECRET_KEY_FILE: {key_file} can be read or changed by others than its owner "
        f"(mode 644); run: chmod 600 {key_file}"
    )
