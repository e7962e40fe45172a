"""A card's buttons laid out within Teams' limit: at most 6 actions in the card's `actions` and in each `ActionSet`.

Teams shows the first six actions of an action list (the Teams host configuration's `maxActions`) and hides the
rest, so a card with more choices than that is laid out differently:

- a run of choices that answer one question with different words (a pulse scale: `0`…`10`, "Strongly disagree"…
  "Strongly agree", 😞…😄) becomes rows of at most six buttons in the card's body: every answer stays one tap;
- a run of choices that apply the same words to different items ("Vote: lunch", "Vote: trip"; "Reply to comment 3")
  becomes one choice input listing the items and one button named by the shared words; its submission says which
  input holds the chosen value (`PICK_KEY`, read back by `activities.parse_submission`);
- the other choices (add a comment, previous, next…) stay buttons at the bottom of the card.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.messages import Choice

JsonDict = dict[str, Any]
Button = Callable[[str, JsonDict, str, str], JsonDict]  # (title, data, style, verb) -> an action

MAX_ACTIONS = 6
ACTION_KEY = "action"
VALUE_KEY = "value"
PICK_KEY = "bravo_pick"
PICK_PREFIX = "bravo_pick_"
_SEPARATORS = " \t:-–—"


@dataclass
class Layout:
    """Elements to show after the card's text (rows, choice inputs) and the card's own actions."""

    body: list[JsonDict] = field(default_factory=list)
    actions: list[JsonDict] = field(default_factory=list)


def choice_data(choice: Choice) -> JsonDict:
    return {ACTION_KEY: choice.action, VALUE_KEY: choice.value}


def lay_out(choices: Sequence[Choice], button: Button) -> Layout:
    """The card's choices as Teams can show them all: as they are up to six, else rows or a list, as above."""
    buttons = [button(choice.label, choice_data(choice), choice.style, choice.action) for choice in choices]
    if len(choices) <= MAX_ACTIONS:
        return Layout(actions=buttons)
    start, end = _longest_run(choices)
    layout = Layout()
    if end - start > 1:
        group = choices[start:end]
        shared = shared_words([choice.label for choice in group])
        if shared:
            layout.body.extend(_pick(group, shared, button, required=len(choices) == len(group)))
        else:
            layout.body.extend(_row(row) for row in rows(buttons[start:end]))
        buttons = [*buttons[:start], *buttons[end:]]
    if buttons:
        *above, last = rows(buttons)
        layout.body.extend(_row(row) for row in above)
        layout.actions = last
    return layout


def rows(items: Sequence[JsonDict]) -> list[list[JsonDict]]:
    """Items in as few rows of at most six as possible, of even lengths (7 -> 4 + 3 rather than 6 + 1)."""
    count = -(-len(items) // MAX_ACTIONS)
    size = -(-len(items) // count) if count else 0
    return [list(items[index : index + size]) for index in range(0, len(items), size)] if size else []


def shared_words(labels: Sequence[str]) -> str:
    """The whole words every label starts with, when each says more: `Reply to comment 1`, `Reply to comment 2` ->
    `Reply to comment`; up to a colon, which ends a label's own words (`Vote: team lunch`, `Vote: team trip` ->
    `Vote`)."""
    if len(labels) < 2:
        return ""
    prefix = labels[0]
    for label in labels[1:]:
        while not label.startswith(prefix):
            prefix = prefix[:-1]
    if any(len(label) > len(prefix) and label[len(prefix)] not in _SEPARATORS for label in labels):
        prefix = prefix[: max((prefix.rfind(mark) for mark in _SEPARATORS), default=-1) + 1]
    if ":" in prefix:
        prefix = prefix[: prefix.index(":") + 1]
    if any(not label[len(prefix) :].strip(_SEPARATORS) for label in labels):
        return ""
    return prefix.strip(_SEPARATORS)


def _longest_run(choices: Sequence[Choice]) -> tuple[int, int]:
    """[start, end) of the longest run of consecutive choices with one action (the first such run on a tie)."""
    best = (0, 0)
    start = 0
    for index in range(1, len(choices) + 1):
        if index == len(choices) or choices[index].action != choices[start].action:
            if index - start > best[1] - best[0]:
                best = (start, index)
            start = index
    return best


def _row(actions: list[JsonDict]) -> JsonDict:
    return {"type": "ActionSet", "actions": actions}


def _pick(group: Sequence[Choice], shared: str, button: Button, *, required: bool) -> list[JsonDict]:
    """One choice input (its items' own words, the one marked primary pre-selected) and the button that sends it."""
    input_id = PICK_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", group[0].action)
    items = [
        {"title": choice.label[len(shared) :].lstrip(_SEPARATORS) or choice.label, "value": choice.value}
        for choice in group
    ]
    element: JsonDict = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": shared,
        "style": "expanded",
        "wrap": True,
        "isRequired": required,
        "choices": items,
    }
    if required:
        element["errorMessage"] = shared
    chosen = [choice.value for choice in group if choice.style == "primary"]
    if chosen:
        element["value"] = chosen[0]
    data = {ACTION_KEY: group[0].action, PICK_KEY: input_id}
    return [element, _row([button(shared, data, "primary", group[0].action)])]
