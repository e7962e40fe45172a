"""At a terminal the console reads each line with `input()` and the standard library's `readline` (line editing and
history); the prompt goes to `input()` so a redrawn line keeps it."""

from __future__ import annotations

import io

from bot.console.lines import LineReader, line_editing


def test_line_editing_is_the_standard_librarys_readline() -> None:
    import readline

    assert line_editing() is input
    assert readline.get_current_history_length() >= 0


async def test_a_terminal_reads_each_line_after_showing_its_prompt() -> None:
    answers = iter(["/kudos @Bob thanks", "11"])
    prompts: list[str] = []

    def typed(prompt: str) -> str:
        prompts.append(prompt)
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    reader = LineReader(io.StringIO(), prompted=typed)
    assert await reader.readline("> ") == "/kudos @Bob thanks\n"
    assert await reader.readline("Points: ") == "11\n"
    assert await reader.readline("> ") is None
    assert prompts == ["> ", "Points: ", "> "]


async def test_after_the_end_of_input_every_read_is_the_end() -> None:
    reader = LineReader(io.StringIO("one\n"))
    assert await reader.readline() == "one\n"
    assert await reader.readline() is None
    assert await reader.readline() is None  # a form cancelled by Ctrl-D, then the chat's own prompt
