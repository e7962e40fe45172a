"""Start-up refuses a Slack set-up that cannot work, in one line and with a non-zero exit, instead of starting and
answering every Slack request with an error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import SettingsError, load_settings
from tests.cli import ROOT, clean_environment

# Long enough to start Python and read the settings; a server that starts instead never exits on its own.
START_TIMEOUT_SECONDS = 60


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "   "}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": "xapp-1-A"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xapp-1-A", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN"),
    ],
)
def test_bravo_run_refuses_a_slack_set_up_that_cannot_work(
    database_url: str, settings: dict[str, str], named: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env=clean_environment(DATABASE_URL=database_url, **settings),
        cwd=ROOT,
        timeout=START_TIMEOUT_SECONDS,
    )
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"bravo: invalid setting {named}: ") and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "settings",
    [
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"},
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A"},
        {},
    ],
)
def test_a_slack_set_up_that_works_is_accepted(monkeypatch: pytest.MonkeyPatch, settings: dict[str, str]) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    try:
        load_settings(_env_file=None)
    except SettingsError as error:  # pragma: no cover - the assertion below explains it
        pytest.fail(str(error))


def test_bravo_run_refuses_a_teams_app_id_without_its_password(database_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env=clean_environment(DATABASE_URL=database_url, MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001"),
        cwd=ROOT,
        timeout=START_TIMEOUT_SECONDS,
    )
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("bravo: invalid setting MICROSOFT_APP_PASSWORD: ") and "Traceback" not in done.stderr
