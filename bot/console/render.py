"""Neutral cards as terminal text, buttons numbered so a person can type the number to press one."""

from __future__ import annotations

from bot.console.charts import chart_lines
from bot.console.choices import choice_lines
from handlers.messages import Card, Line, Text


def render_line(line: Line) -> str:
    return "".join(part.text if isinstance(part, Text) else f"@{part.person.name}" for part in line.parts)


def render_card(card: Card) -> str:
    """The card as text; each choice shows the number that presses it (`bot.console.choices`)."""
    lines: list[str] = []
    if card.title:
        lines.append(f"== {card.title} ==")
    for section in card.sections:
        if section.text is not None:
            text = render_line(section.text)
            lines.extend(f"> {row}" for row in text.splitlines()) if section.quote else lines.append(text)
        width = max((len(item.label) for item in section.fields), default=0)
        lines.extend(f"  {item.label.ljust(width)}  {render_line(item.value)}" for item in section.fields)
    lines.extend(choice_lines(card.choices))
    lines.extend(f"  ({render_line(line)})" for line in card.context)
    lines.extend(chart_lines(card.images))
    return "\n".join(lines)
