"""Platform-neutral messages: what the core says, which each adapter renders natively.

Plain text parts are the *literal* words to show: renderers escape them for their markup, so user text
can never ping `@channel` or disguise a link. Mentions are separate parts that each platform renders as
its own mention. Every text a card shows is also `neutralised` when the card is built, so no platform shows
a direction override or an invisible character someone typed.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Sequence
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# Direction embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder what follows them, so a reason
# or a name can read backwards from what was typed ("Trojan source"); direction marks (U+200E, U+200F, U+061C) and
# invisible characters (zero-width space, word joiner, invisible operators, byte order mark, soft hyphen, Mongolian
# vowel separator, deprecated format controls, interlinear annotations) hide words or make look-alike names.
_HIDDEN = "\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
_SUSPECT = re.compile(f"[{_HIDDEN}\u200c\u200d]")
_ALWAYS = re.compile(f"[{_HIDDEN}]+")
# Zero-width (non-)joiners shape Persian, Indic scripts and emoji sequences (👩‍💻): kept between two visible
# characters, dropped elsewhere (at either end of a word, or repeated).
_JOINERS = re.compile("[\u200c\u200d]+")


def neutralised(text: str) -> str:
    """The text without direction controls or invisible characters: it shows as it reads, on every platform."""
    if _SUSPECT.search(text) is None:
        return text
    text = _ALWAYS.sub("", text)

    def joiner(match: re.Match[str]) -> str:
        start, end = match.span()
        inside = 0 < start and end < len(text) and not text[start - 1].isspace() and not text[end].isspace()
        return match.group(0)[0] if inside else ""

    return _JOINERS.sub(joiner, text)


Shown = Annotated[str, AfterValidator(neutralised)]


class Neutral(BaseModel):
    model_config = ConfigDict(frozen=True)


class PersonRef(Neutral):
    """Enough about a person to mention them on any platform."""

    id: int
    name: Shown
    slack_id: str | None = None
    teams_id: str | None = None


class Text(Neutral):
    kind: Literal["text"] = "text"
    text: Shown


class Mention(Neutral):
    kind: Literal["mention"] = "mention"
    person: PersonRef


Inline = Annotated[Text | Mention, Field(discriminator="kind")]


class Line(Neutral):
    """A run of text and mentions."""

    parts: tuple[Inline, ...] = ()

    @classmethod
    def of(cls, *parts: str | PersonRef | Mention | Text) -> Line:
        return cls(parts=tuple(_inline(part) for part in parts))

    def plain(self) -> str:
        """The line as plain text, mentions as `@Name` (for logs, the console and notification previews)."""
        return "".join(part.text if isinstance(part, Text) else f"@{part.person.name}" for part in self.parts)


def _inline(part: str | PersonRef | Mention | Text) -> Text | Mention:
    if isinstance(part, str):
        return Text(text=part)
    if isinstance(part, PersonRef):
        return Mention(person=part)
    return part


def compose(template: str, **values: str | int | PersonRef | Sequence[PersonRef] | Line) -> Line:
    """Fill a translated template whose placeholders may be people, keeping mentions as mentions.

    Lists of people are joined with commas; use `Translator.join` first where the language's "and" matters.
    """
    parts: list[Text | Mention] = []
    for literal, name in _pieces(template):
        if literal:
            parts.append(Text(text=literal))
        if name is None:
            continue
        value = values[name]
        if isinstance(value, PersonRef):
            parts.append(Mention(person=value))
        elif isinstance(value, Line):
            parts.extend(value.parts)
        elif isinstance(value, str | int):
            parts.append(Text(text=str(value)))
        else:
            for index, person in enumerate(value):
                if index:
                    parts.append(Text(text=", "))
                parts.append(Mention(person=person))
    return Line(parts=tuple(_merge_text(parts)))


@functools.lru_cache(maxsize=1024)
def _pieces(template: str) -> tuple[tuple[str, str | None], ...]:
    """A template's literal runs and placeholder names, parsed once per template (there are a few hundred)."""
    return tuple((literal, name) for literal, name, _spec, _conv in string.Formatter().parse(template))


def _merge_text(parts: Iterable[Text | Mention]) -> list[Text | Mention]:
    merged: list[Text | Mention] = []
    for part in parts:
        if merged and isinstance(part, Text) and isinstance(merged[-1], Text):
            merged[-1] = Text(text=merged[-1].text + part.text)
        else:
            merged.append(part)
    return merged


class FieldItem(Neutral):
    """A label and its value, shown side by side where the platform can."""

    label: Shown
    value: Line


class Section(Neutral):
    text: Line | None = None
    fields: tuple[FieldItem, ...] = ()
    quote: bool = False


class Choice(Neutral):
    """A button: `action` names the use case, `value` is what it receives back."""

    label: Shown
    action: str
    value: str = ""
    style: Literal["default", "primary", "danger"] = "default"


class FormOption(Neutral):
    label: str
    value: str


class FormInput(Neutral):
    """One input of a form (a Slack modal, an Adaptive Card, a console prompt)."""

    name: str
    label: str
    kind: Literal["people", "select", "multiselect", "number", "text", "multiline"]
    options: tuple[FormOption, ...] = ()
    initial: tuple[str, ...] = ()
    required: bool = True
    placeholder: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None


class Form(Neutral):
    """A form the person fills in; submitting calls `action` with the inputs' values."""

    action: str
    title: str
    submit: str
    inputs: tuple[FormInput, ...]
    metadata: str = ""


class TrendChart(Neutral):
    """A line through measures in order, oldest first (label, value), on the axis `low`..`high`."""

    kind: Literal["trend"] = "trend"
    title: Shown
    points: tuple[tuple[Shown, float], ...]
    low: float
    high: float


class BarsChart(Neutral):
    """Horizontal bars (label, value, earlier value or None), first at the top, on 0..`limit`."""

    kind: Literal["bars"] = "bars"
    title: Shown
    bars: tuple[tuple[Shown, float, float | None], ...]
    limit: float
    percent: bool = False


class GridChart(Neutral):
    """A heat map of rows × columns; a None cell is hidden and never drawn."""

    kind: Literal["grid"] = "grid"
    title: Shown
    rows: tuple[Shown, ...]
    columns: tuple[Shown, ...]
    cells: tuple[tuple[float | None, ...], ...]


ChartData = Annotated[TrendChart | BarsChart | GridChart, Field(discriminator="kind")]


class Image(Neutral):
    """A chart attached to a card and its text alternative, which carries the same numbers for screen readers and for
    platforms that cannot show the image.

    A digest stores only the chart's numbers (`chart`): the PNG is drawn when the card is delivered (`data`,
    `encoded`, cached for identical charts by `handlers.charts`), so that queueing thousands of digests draws
    nothing. `png` (base64) holds an already drawn chart (cards queued before charts were stored as numbers)."""

    name: str
    title: Shown
    alt: Shown
    chart: ChartData | None = None
    png: str = ""

    def encoded(self) -> str:
        """The PNG in base64, drawn now from the chart's numbers unless it already was."""
        if self.png or self.chart is None:
            return self.png
        from handlers.charts import draw  # drawing needs matplotlib: loaded only where a chart is delivered

        return draw(self.chart)

    def data(self) -> bytes:
        import base64

        return base64.b64decode(self.encoded())


class Card(Neutral):
    """A message: title, sections, buttons, small print and charts (each renderer attaches them its own way)."""

    title: Shown | None = None
    sections: tuple[Section, ...] = ()
    choices: tuple[Choice, ...] = ()
    context: tuple[Line, ...] = ()
    summary: Shown = ""
    images: tuple[Image, ...] = ()

    def plain(self) -> str:
        """The card as plain text: notification preview, logs, tests."""
        lines = [self.title] if self.title else []
        for section in self.sections:
            if section.text:
                lines.append(section.text.plain())
            lines.extend(f"{item.label}: {item.value.plain()}" for item in section.fields)
        lines.extend(f"[{choice.label}]" for choice in self.choices)
        lines.extend(line.plain() for line in self.context)
        return "\n".join(lines)


class Reply(Neutral):
    """What a use case answers the person who asked: a card shown only to them, or a form to open.

    `replace_original` (for button presses) replaces the message that held the button, e.g. a pulse question
    that now shows the chosen answer; otherwise the card is shown to the person alone.
    """

    card: Card | None = None
    form: Form | None = None
    public: bool = False
    replace_original: bool = False


def text_card(text: str | Line, *, title: str | None = None) -> Card:
    line = text if isinstance(text, Line) else Line.of(text)
    return Card(title=title, sections=(Section(text=line),), summary=line.plain()[:150])


def reply(text: str | Line, *, title: str | None = None) -> Reply:
    return Reply(card=text_card(text, title=title))
