"""The numbers a person types to press a console button.

A button whose label is itself a whole number (the 0–10 scale of eNPS) is pressed by typing that number, so `10`
means the answer 10, never the tenth button; every other button gets the smallest number no such label takes.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.messages import Choice


def _own_number(label: str) -> str | None:
    text = label.strip()
    return str(int(text)) if text.isdigit() and len(text) <= 3 else None


def choice_keys(choices: Sequence[Choice]) -> list[str]:
    """The number typed for each choice, in order."""
    own = [_own_number(choice.label) for choice in choices]
    taken = {key for key in own if key is not None}
    if len(taken) != sum(key is not None for key in own):
        own = [None] * len(choices)  # two buttons with the same number: plain numbering keeps them apart
        taken = set()
    keys: list[str] = []
    counter = 1
    for key in own:
        if key is None:
            while str(counter) in taken:
                counter += 1
            key = str(counter)
            taken.add(key)
        keys.append(key)
    return keys


def pressed(choices: Sequence[Choice], typed: str) -> Choice | None:
    """The choice a typed number presses, if any."""
    text = typed.strip()
    if not text.isdigit():
        return None
    wanted = str(int(text))
    for key, choice in zip(choice_keys(choices), choices, strict=True):
        if key == wanted:
            return choice
    return None


def choice_lines(choices: Sequence[Choice]) -> list[str]:
    """Buttons as lines: the numbered scale on one line (`[0] [1] … [10]`), each other button on its own."""
    keys = choice_keys(choices)
    scale = [f"[{key}]" for key, choice in zip(keys, choices, strict=True) if _own_number(choice.label) == key]
    lines = [f"  {' '.join(scale)}"] if scale else []
    lines.extend(
        f"  [{key}] {choice.label}"
        for key, choice in zip(keys, choices, strict=True)
        if _own_number(choice.label) != key
    )
    return lines
