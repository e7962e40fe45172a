"""Every command the README and docs/ show runs as written: a `.venv/bin/bravo …` line parses with the real `bravo`
parser, a `make …` line names a target of the Makefile.

A newcomer copies these lines after `make run`; a renamed subcommand or option, or a bare `bravo …` (not on the PATH
after `make run`), must fail here rather than in their terminal. Parsing runs in-process, so the check stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BRAVO = ".venv/bin/bravo"
FENCE = re.compile(r"^\s*(```|~~~)")
PROMPT = re.compile(r"^\s*\$\s+")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")
INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
SEPARATORS = {"|", "||", "&&", ";", "&"}
REDIRECTIONS = {">", ">>", "<", "<<", ">&", "<&", "&>"}
ELLIPSES = {"…", "..."}
# Prose that names the program rather than running it: "the `bravo` command", "you can type `bravo …`".
NAMES = {"bravo", "bravo …", "bravo ..."}


@dataclass(frozen=True)
class Shown:
    """One command as a document shows it: where, and its words (environment assignments dropped)."""

    where: str
    words: tuple[str, ...]
    inline: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {shlex.join(self.words)}"


def fenced_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, logical line) inside fenced code blocks: continuations joined, here-document bodies skipped."""
    inside, pending, start, heredoc_end = False, "", 0, None
    for number, line in enumerate(text.splitlines(), start=1):
        if heredoc_end is not None:
            heredoc_end = None if line.strip() == heredoc_end else heredoc_end
            continue
        if FENCE.match(line):
            inside, pending = not inside, ""
            continue
        if not inside:
            continue
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical, pending = pending + line, ""
        found = HEREDOC.search(logical)
        if found:
            heredoc_end = found.group(1)
        yield start, logical


def commands_of(line: str) -> Iterator[list[str]]:
    """The simple commands of a shell line (split at pipes and `;`/`&&`), without redirections or leading VAR=x."""
    lexer = shlex.shlex(PROMPT.sub("", line), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words: list[str] = []
    skip_next = False
    for token in lexer:
        if skip_next:
            skip_next = False
        elif token in SEPARATORS:
            yield words
            words = []
        elif token in REDIRECTIONS:
            skip_next = True
        elif words or not ASSIGNMENT.match(token):
            words.append(token)
    yield words


def shows_a_command(line: str) -> bool:
    """Whether a code line is meant for a shell and runs `bravo` or `make` (console transcripts are not)."""
    text = PROMPT.sub("", line).strip()
    pattern = rf"(^|[|;&]\s*)([A-Za-z_][A-Za-z0-9_]*=\S*\s+)*({re.escape(BRAVO)}|bravo|make)(\s|$)"
    return re.search(pattern, text) is not None


def shown_commands() -> list[Shown]:
    """Every bravo and make command in the documents: whole lines of code blocks, and commands quoted in prose."""
    shown: list[Shown] = []
    for document in DOCUMENTS:
        name = document.relative_to(ROOT).as_posix()
        text = document.read_text(encoding="utf-8")
        for number, line in fenced_lines(text):
            if shows_a_command(line):
                shown.extend(
                    Shown(f"{name}:{number}", tuple(words))
                    for words in commands_of(line)
                    if words and words[0] in (BRAVO, "bravo", "make")
                )
        for number, line in enumerate(text.splitlines(), start=1):
            for span in INLINE_CODE.findall(line):
                if span not in NAMES and shows_a_command(span):
                    shown.extend(
                        Shown(f"{name}:{number}", tuple(words), inline=True)
                        for words in commands_of(span)
                        if words and words[0] in (BRAVO, "bravo", "make")
                    )
    return shown


SHOWN = shown_commands()
BRAVO_SHOWN = [item for item in SHOWN if item.words[0] == BRAVO]
MAKE_SHOWN = [item for item in SHOWN if item.words[0] == "make"]


@pytest.fixture(scope="module")
def parser() -> argparse.ArgumentParser:
    return build_parser()


def make_targets() -> set[str]:
    """Every rule target of the Makefile, with `$(VAR)` expanded from its simple assignments."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)\s*[:?]?=\s*(.*?)\s*$", text, flags=re.MULTILINE))

    def expand(value: str) -> str:
        for _ in range(10):
            value = re.sub(r"\$\((\w+)\)", lambda match: variables.get(match.group(1), ""), value)
        return value

    targets: set[str] = set()
    for names in re.findall(r"^([^\s#:=][^:=]*?)\s*:(?!=)", text, flags=re.MULTILINE):
        targets.update(expand(names).split())
    return targets


MAKE_TARGETS = make_targets()


def parse_error(parser: argparse.ArgumentParser, arguments: list[str]) -> str | None:
    """What argparse says about these arguments, or None when they parse (`--help` counts as parsing)."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stderr(out), contextlib.redirect_stdout(io.StringIO()):
            parser.parse_args(arguments)
    except SystemExit as stop:
        return None if stop.code in (0, None) else out.getvalue().strip() or f"exit {stop.code}"
    return None


def subcommand_error(parser: argparse.ArgumentParser, arguments: list[str]) -> str | None:
    """For a command named in prose: its chain of subcommands exists (its other arguments may be placeholders).

    argparse has no public way to list a parser's subcommands; `_SubParsersAction.choices` is the stable one.
    """
    current = parser
    chain: list[str] = []
    for word in arguments:
        choices = next(
            (action.choices for action in current._actions if isinstance(action, argparse._SubParsersAction)), None
        )
        if choices is None or word.startswith("-") or word in ELLIPSES:
            return None
        if word not in choices:
            return f"no subcommand {' '.join([*chain, word])!r}; known: {', '.join(choices)}"
        current, chain = choices[word], [*chain, word]
    return None


def test_the_documents_show_commands() -> None:
    """Guards the extraction itself: the README alone shows several bravo and make commands."""
    readme = [item for item in SHOWN if item.where.startswith("README.md") and not item.inline]
    assert {item.words[0] for item in readme} == {BRAVO, "make"}
    assert len(readme) >= 8


def test_no_command_is_a_bare_bravo() -> None:
    """`bravo` is not on the PATH after `make run`: every example names `.venv/bin/bravo`."""
    bare = [str(item) for item in SHOWN if item.words[0] == "bravo"]
    assert bare == [], f"write {BRAVO} instead of bravo in: " + "; ".join(bare)


@pytest.mark.parametrize("shown", BRAVO_SHOWN, ids=str)
def test_bravo_commands_parse(parser: argparse.ArgumentParser, shown: Shown) -> None:
    arguments = list(shown.words[1:])
    problem = subcommand_error(parser, arguments) if shown.inline else parse_error(parser, arguments)
    assert problem is None, f"{shown}: {problem}"


@pytest.mark.parametrize("shown", MAKE_SHOWN, ids=str)
def test_make_commands_name_real_targets(parser: argparse.ArgumentParser, shown: Shown) -> None:
    targets = MAKE_TARGETS
    words = [word for word in shown.words[1:] if not word.startswith("-")]
    named = [word for word in words if "=" not in word]
    missing = [target for target in named if target not in targets]
    assert missing == [], f"{shown}: no Makefile target {missing}; known: {sorted(targets)}"
    run_arguments = [word.partition("=")[2] for word in words if word.startswith("ARGS=")]
    if "run" in named and run_arguments:
        problem = parse_error(parser, ["run", *shlex.split(run_arguments[0])])
        assert problem is None, f"{shown}: {problem}"
