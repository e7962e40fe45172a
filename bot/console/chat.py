"""The terminal chat loop: read a line, run it as the chosen person, show the reply and any deliveries."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import TextIO

from bot.console.choices import pressed
from bot.console.lines import LineReader, line_editing, terminal_kept
from bot.console.mentions import Directory, MentionError, load_directory, resolve_people, rewrite_mentions
from bot.console.render import render_card
from bot.console.sender import ConsoleSender
from bot.platforms import outbox_worker
from bot.runtime import Runtime
from handlers.context import Context, translator_for_person
from handlers.i18n import Translator
from handlers.messages import Card, Choice, Form, FormInput, Reply
from handlers.routing import run_action, run_command, split_command, submit_form
from scheduler.goals import GoalWatch, celebrate_goals
from storage import people as people_store
from storage.models import Person
from storage.models.base import utcnow


class ConsoleChat:
    """One person's conversation with Bravo in the terminal."""

    def __init__(self, runtime: Runtime, person: Person, stdin: TextIO, out: TextIO) -> None:
        self.runtime = runtime
        self.database = runtime.database
        self.policy = runtime.policy
        self.person = person
        self.stdin = stdin
        self.out = out
        self.t: Translator = translator_for_person(person, self.policy)
        self.choices: list[Choice] = []
        self.turn = 0
        self.goals = GoalWatch()

    async def run(self) -> None:
        """Chat until end of input."""
        with terminal_kept(self.stdin) if self.stdin.isatty() else contextlib.nullcontext():
            await self._chat()

    async def _chat(self) -> None:
        names = await self._names()
        self.lines = LineReader(self.stdin, prompted=line_editing() if self._at_terminal() else None)
        sender = ConsoleSender(self.out, names, self.t, me=self.person.id, on_own_card=self._offer_choices)
        self.worker = outbox_worker(self.runtime, {"console": sender})
        self._write(
            self.t(
                "Bravo console: you are {name}. Type /help to see the commands, Ctrl-D to leave.",
                name=self.person.display_name,
            )
        )
        await self.worker.drain()
        while (line := await self._read("> ")) is not None:
            if line.strip():
                await self.handle(line)
        self._write("")

    def _at_terminal(self) -> bool:
        return self.stdin is sys.stdin and self.stdin.isatty() and sys.stdout.isatty() and self.out is sys.stdout

    def _offer_choices(self, card: Card) -> None:
        """The last card shown with buttons keeps them for the numbers typed, whatever is shown after it."""
        if card.choices:
            self.choices = list(card.choices)

    async def handle(self, line: str) -> None:
        """Run one line: a numbered choice, a command, or a hint."""
        text = line.strip()
        if text.isdigit():
            choice = pressed(self.choices, text)
            if choice is None:
                self._write(self.t("No button has the number {number}.", number=text))
                return
            await self._answer(lambda ctx: run_action(ctx, choice.action, choice.value))
            return
        name, rest = split_command(text)
        if not name:
            self._write(self.t("Commands start with a slash: type /help to see them."))
            return
        try:
            rest = rewrite_mentions(rest, await self._directory(), self.t)
        except MentionError as error:
            self._write(str(error))
            return
        await self._answer(lambda ctx: run_command(ctx, name, rest))

    async def _answer(self, use_case: Callable[[Context], Awaitable[Reply]]) -> None:
        self.turn += 1
        async with self.database.transaction() as session:
            person = await people_store.get_person(session, person_id=self.person.id or 0) or self.person
            ctx = Context(
                session=session,
                actor=person,
                policy=self.policy,
                now=utcnow(),
                platform="console",
                event_key=f"console:{person.id}:{utcnow().isoformat()}:{self.turn}",
            )
            answer = await use_case(ctx)
        await self._show(answer)
        # What the server's minute job does: a reward goal this line's kudos reached is celebrated at once.
        await celebrate_goals(self.database, policy=self.policy, watch=self.goals, now=utcnow(), owner="console")
        await self.worker.drain()

    async def _show(self, answer: Reply) -> None:
        if answer.form is not None:
            values = await self._fill(answer.form)
            if values is None:
                self._write(self.t("Form cancelled."))
                return
            form = answer.form
            await self._answer(lambda ctx: submit_form(ctx, form.action, values, form.metadata))
            return
        if answer.card is not None:
            self._offer_choices(answer.card)
            self._write(render_card(answer.card))

    async def _fill(self, form: Form) -> Mapping[str, tuple[str, ...]] | None:
        """Ask for each input in turn; an empty answer keeps the initial value, end of input cancels."""
        self._write(f"== {form.title} ==")
        values: dict[str, tuple[str, ...]] = {}
        directory = await self._directory()
        for item in form.inputs:
            answer = await self._read(self._prompt(item, directory))
            if answer is None:
                return None
            answer = answer.strip()
            if item.kind == "people" and answer:
                people = await self._people(item, directory, answer)
                if people is None:
                    return None
                values[item.name] = people
            elif not answer:
                values[item.name] = item.initial
            elif item.kind == "multiselect":
                values[item.name] = tuple(_option_value(item, part) for part in answer.replace(",", " ").split())
            elif item.kind == "select" and answer.isdigit() and 0 < int(answer) <= len(item.options):
                values[item.name] = (item.options[int(answer) - 1].value,)
            else:
                values[item.name] = (answer,)
        return values

    async def _people(self, item: FormInput, directory: Directory, answer: str) -> tuple[str, ...] | None:
        """Names typed for a people input, asked again until every name is known (None: input ended)."""
        while True:
            try:
                return resolve_people(answer, directory, self.t)
            except MentionError as error:
                self._write(str(error))
            again = await self._read(self._prompt(item, directory))
            if again is None:
                return None
            answer = again.strip()

    def _prompt(self, item: FormInput, directory: Directory) -> str:
        options = ""
        if item.options:
            options = " " + ", ".join(f"[{number}] {option.label}" for number, option in enumerate(item.options, 1))
        shown = item.initial
        if item.kind == "people":
            names = {token: display for _name, token, display in directory.names}
            shown = tuple(names.get(f"<@{value}>", value) for value in item.initial)
        initial = f" ({', '.join(shown)})" if shown else ""
        prompt = f"{item.label}{options}{initial}"
        if item.label.rstrip().endswith(("?", "!", ":")):
            return prompt + " "  # a question is its own prompt: no colon after its question mark
        return self.t("{prompt}:", prompt=prompt) + " "

    async def _directory(self) -> Directory:
        async with self.database.sessions() as session:
            return await load_directory(session)

    async def _names(self) -> dict[int, str]:
        async with self.database.sessions() as session:
            return {person.id or 0: person.display_name for person in await people_store.all_people(session)}

    async def _read(self, prompt: str) -> str | None:
        if self.lines.prompted is None:
            self.out.write(prompt)
            self.out.flush()
        line = await self.lines.readline(prompt)
        if line is None:
            return None
        if not self.stdin.isatty():
            self.out.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\n")

    def _write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def _option_value(item: FormInput, typed: str) -> str:
    """A multiselect answer: an option's number, or its value typed with or without `#`."""
    if typed.isdigit() and 0 < int(typed) <= len(item.options):
        return item.options[int(typed) - 1].value
    return typed.lstrip("#")
