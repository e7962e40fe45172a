"""Neutral cards as terminal text, buttons numbered so a person can type the number to press one."""

from __future__ import annotations

from handlers.messages import Card, Line, Text


def render_line(line: Line) -> str:
    return "".join(part.text if isinstance(part, Text) else f"@{part.person.name}" for part in line.parts)


def render_card(card: Card, *, first_choice: int = 1) -> str:
    """The card as text; choices are numbered from `first_choice`."""
    lines: list[str] = []
    if card.title:
        lines.append(f"== {card.title} ==")
    for section in card.sections:
        if section.text is not None:
            text = render_line(section.text)
            lines.extend(f"> {row}" for row in text.splitlines()) if section.quote else lines.append(text)
        width = max((len(item.label) for item in section.fields), default=0)
        lines.extend(f"  {item.label.ljust(width)}  {render_line(item.value)}" for item in section.fields)
    for number, choice in enumerate(card.choices, start=first_choice):
        lines.append(f"  [{number}] {choice.label}")
    lines.extend(f"  ({render_line(line)})" for line in card.context)
    return "\n".join(lines)
