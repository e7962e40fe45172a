"""Acceptance, against the local Slack look-alike: `bravo digest send --now --kind org` sends the admin the
organisation digest in a direct message, then shares its charts there with files_upload_v2 (PNG files whose alt text
carries the digest's numbers); the console saves the charts under data/charts/."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from bot.config import Settings
from bot.console.charts import chart_lines
from bot.console.render import render_card
from bot.runtime import open_runtime
from storage.db import Database
from tests.bot.test_digest_cli import run_cli, seed_directory, url_of
from tests.cli import run_bravo_async
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_workspace import SlackWorkspace
from tests.handlers.digest.test_org import card

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_the_admin_gets_the_digest_then_its_charts_in_their_direct_message(database: Database) -> None:
    await seed_directory(database)
    async with FakeSlackApi() as api:
        code, out, err = await run_bravo_async(
            "digest",
            "send",
            "--now",
            "--kind",
            "org",
            database_url=url_of(database),
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET="secret",
            SLACK_API_URL=api.base_url,
            BRAVO_TIMEZONE="Europe/Paris",
            BRAVO_OUTBOX_CHANNEL_INTERVAL="0",
            BRAVO_ADMINS="alice@acme.test",
        )
        assert code == 0, err
        assert "Organisation digest for Alice Martin" in out
        posted = api.calls_to("chat.postMessage")
        assert [call.args["channel"] for call in posted] == ["UALICE"]  # no manager or team digest
        assert [call.method for call in api.calls if call.method.startswith(("files.", "upload"))][:3] == [
            "files.getUploadURLExternal",
            "upload",
            "files.completeUploadExternal",
        ]
        assert api.calls_to("files.upload") == []  # the retired method is never called
        shared = api.files.shared_in(SlackWorkspace.dm_channel_for("UALICE"))
        assert shared and {item.filename for item in shared} <= {"teams-drivers.png", "rewards.png", "drivers.png"}
        text = str(posted[0].args.get("text", "")) + str(posted[0].args.get("blocks", ""))
        for item in shared:
            assert item.data is not None and item.data[:8] == PNG_SIGNATURE
            assert item.alt_txt and item.title and item.alt_txt.startswith(item.title)
        rewards = next(item for item in shared if item.filename == "rewards.png")
        assert "Engineering 2/10" in (rewards.alt_txt or "") and "2 / 10 points" in text


def test_the_console_saves_each_chart_and_shows_its_path_and_text_alternative(tmp_path: Path) -> None:
    built = card()
    lines = chart_lines(built.images, tmp_path)
    saved = sorted(tmp_path.iterdir())
    assert len(saved) == len(built.images) == 4
    for chart, path_line, alt_line in zip(built.images, lines[::2], lines[1::2], strict=True):
        path = Path(path_line.split("] ", 1)[1])
        data = path.read_bytes()
        assert data[:8] == PNG_SIGNATURE and struct.unpack(">II", data[16:24]) > (0, 0)
        assert alt_line.strip() == chart.alt
    assert chart_lines(built.images, tmp_path) == lines  # the same chart is saved once
    assert "[eNPS trend]" in render_card(built)


async def test_schedule_show_and_status_name_the_organisation_digest(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    admin_settings = settings.model_copy(update={"admins": ["alice@acme.test"], "org_digest_cron": "tue 08:00"})
    async with open_runtime(admin_settings) as runtime:
        await seed_directory(runtime.database)
        assert await run_cli(runtime, "schedule", "show") == 0
        assert await run_cli(runtime, "digest", "send", "--now", "--kind", "org", "--dry-run") == 0
        assert await run_cli(runtime, "digest", "send", "--now", "--kind", "org") == 0
        assert await run_cli(runtime, "schedule", "status") == 0
    out = capsys.readouterr().out
    assert "Organisation digest: tue 08:00 (each admin's time zone)" in out
    assert "[Organisation digest for Alice Martin (" in out and "[Reward progress] data/charts/" in out
    assert "Manager digest" not in out and "Team digest" not in out
    assert re.search(r"organisation digest\s+Alice Martin\s+\d{4}-W\d{2}", out)
