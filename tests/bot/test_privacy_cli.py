"""`bravo privacy forget` asks before forgetting someone for good: at a terminal it waits for "yes"; without one it
needs `--yes`, and otherwise refuses in one line with a non-zero exit, changing nothing."""

from __future__ import annotations

import io
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from storage import people as people_store
from tests.bot.test_pulse_cli import _people, run

EMAIL = "eng1@acme.test"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
async def runtime(settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        assert (await run(opened, capsys, "directory", "import", str(_people(tmp_path))))[0] == 0
        yield opened


async def known(runtime: Runtime) -> bool:
    async with runtime.database.sessions() as session:
        return await people_store.person_by_email(session, email=EMAIL) is not None


async def test_without_a_terminal_forget_needs_yes(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
    code, _, err = await run(runtime, capsys, "privacy", "forget", "--email", EMAIL)
    assert code == 2 and err == "Forgetting someone cannot be undone: add --yes to confirm.\n"
    assert await known(runtime)
    code, out, _ = await run(runtime, capsys, "privacy", "forget", "--email", EMAIL, "--yes")
    assert code == 0 and "forgotten" in out and not await known(runtime)


async def test_at_a_terminal_forget_asks_and_only_yes_goes_ahead(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("no\n"))
    code, out, _ = await run(runtime, capsys, "privacy", "forget", "--email", EMAIL)
    assert code == 1 and "Forget Eng 1 (eng1@acme.test)?" in out and "Nothing was changed." in out
    assert await known(runtime)
    monkeypatch.setattr(sys, "stdin", Terminal("yes\n"))
    code, out, _ = await run(runtime, capsys, "privacy", "forget", "--email", EMAIL)
    assert code == 0 and "forgotten" in out and not await known(runtime)
