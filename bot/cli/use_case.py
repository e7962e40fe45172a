"""Calling a use case from a command: its request built from the parsed options, its refusal printed as one line."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, TypeVar

from handlers.errors import RuleError
from handlers.i18n import Translator

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Request = TypeVar("Request", bound="DataclassInstance")


def request_from(args: argparse.Namespace, kind: type[Request]) -> Request:
    """The use case's request, each field from the option of the same name (`--window-hours` -> `window_hours`)."""
    return kind(**{field.name: getattr(args, field.name) for field in dataclasses.fields(kind)})


def refuse(t: Translator, error: RuleError, status: int = 1) -> int:
    """Print the error's explanation as one line (a value with a line break cannot split it) and return `status`."""
    sys.stderr.write(" ".join(error.message(t).splitlines()) + "\n")
    return status
