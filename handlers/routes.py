"""The shape of a use case that chat routing can call, shared by the routing and by every feature.

Each feature package publishes its commands, buttons and forms as one `Routes` value; `handlers.routing` merges
them. Features depend on this module only, never on the routing, so no feature imports another through it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from handlers.context import Context
from handlers.messages import Reply

CommandHandler = Callable[[Context, str], Awaitable[Reply]]
ActionHandler = Callable[[Context, str], Awaitable[Reply]]
FormHandler = Callable[[Context, Mapping[str, tuple[str, ...]], str], Awaitable[Reply]]


@dataclass(frozen=True)
class Routes:
    """A feature's typed commands (`/kudos`), buttons (keyed by `Choice.action`) and forms (by `Form.action`)."""

    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    actions: Mapping[str, ActionHandler] = field(default_factory=dict)
    forms: Mapping[str, FormHandler] = field(default_factory=dict)
