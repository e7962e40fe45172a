"""Files named on the command line: only regular files of bounded size, refused in one line otherwise.

Run as a user would: `/dev/zero` must not exhaust memory, a FIFO nobody writes to must not hang the command, a
folder or an oversized file are named in one line with a non-zero exit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli.files import MAX_FILE_BYTES, read_text_file, write_file
from handlers.i18n import Translator
from tests.cli import run_bravo

EN = Translator("en")


def zero(_: Path) -> Path:
    return Path("/dev/zero")


def fifo(folder: Path) -> Path:
    path = folder / "pipe"
    os.mkfifo(path)
    return path


def folder(folder: Path) -> Path:
    return folder


def huge(folder: Path) -> Path:
    path = folder / "huge.csv"
    with path.open("wb") as handle:  # sparse: no disk space is used
        handle.truncate(MAX_FILE_BYTES + 1)
    return path


NOT_READABLE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "device": (zero, "not a regular file"),
    "fifo": (fifo, "not a regular file"),
    "folder": (folder, "Is a directory"),
    "huge": (huge, "larger than 32 MB"),
}


@pytest.mark.parametrize("kind", sorted(NOT_READABLE))
def test_only_a_regular_file_of_bounded_size_is_read(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, reason = NOT_READABLE[kind]
    path = make(tmp_path)
    assert read_text_file(path, EN) is None
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"cannot read {path}: {reason}"]


def test_a_regular_file_is_read_and_a_missing_one_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "people.csv"
    good.write_bytes("\ufeffemail,name\n".encode())
    assert read_text_file(good, EN) == "email,name\n"
    assert read_text_file(tmp_path / "missing.csv", Translator("fr")) is None
    assert capsys.readouterr().err == f"impossible de lire {tmp_path / 'missing.csv'} : No such file or directory\n"


def test_an_output_file_is_written_only_as_a_regular_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "package.zip"
    out.write_bytes(b"an older, longer package")
    assert write_file(out, b"zip", EN) and out.read_bytes() == b"zip"
    assert not write_file(fifo(tmp_path), b"zip", EN)  # nobody reads it: refused, not blocked
    assert not write_file(tmp_path, b"zip", EN)
    assert len(capsys.readouterr().err.splitlines()) == 2


@pytest.mark.parametrize("kind", ["device", "fifo"])
@pytest.mark.parametrize("command", [("directory", "import"), ("pulse", "questions", "import")])
def test_the_cli_refuses_them_in_one_line_with_a_non_zero_exit(
    kind: str, command: tuple[str, ...], tmp_path: Path, database_url: str
) -> None:
    path = NOT_READABLE[kind][0](tmp_path)
    result = run_bravo(*command, str(path), database_url=database_url)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"cannot read {path}: not a regular file"]
