"""The typed error a use case raises when its rules refuse a request, so every front end explains it the same way.

The use case names the rule broken (`code`) and the values its explanation needs; each error class lists its
codes' messages (marked with `_` so the catalogue tests find them) and `message(t)` writes them in the reader's
language. A request can break several rules at once (a bad time and a bad weekday): the error then holds
every problem, so one answer lists them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Self

from handlers.i18n import Translator


def _(message: str) -> str:
    """Mark a message for the catalogue; it is translated when shown, in the reader's language."""
    return message


@dataclass(frozen=True, slots=True)
class Problem:
    """One rule a request breaks: its code and the values of its explanation."""

    code: str
    values: Mapping[str, object] = field(default_factory=dict)


class RuleError(ValueError):
    """A request the rules refuse; subclasses list in `messages` what each code means to a person."""

    messages: ClassVar[Mapping[str, str]] = {}

    def __init__(self, code: str, /, **values: object) -> None:
        super().__init__(code)
        self.problems: tuple[Problem, ...] = (Problem(code, values),)

    @classmethod
    def every(cls, problems: Sequence[Problem]) -> Self:
        """One error for several problems found together (at least one)."""
        error = cls(problems[0].code, **problems[0].values)
        error.problems = tuple(problems)
        return error

    @property
    def code(self) -> str:
        return self.problems[0].code

    @property
    def values(self) -> Mapping[str, object]:
        return self.problems[0].values

    def explain(self, t: Translator, problem: Problem) -> str:
        """One problem in the reader's language."""
        return t(self.messages[problem.code], **problem.values)

    def message(self, t: Translator) -> str:
        """Every problem, on one line."""
        return "; ".join(self.explain(t, problem) for problem in self.problems)
