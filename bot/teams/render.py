"""Neutral cards and forms as Adaptive Cards 1.5, the way Teams shows them natively.

User text is escaped so it can never become a link or a mention; mentions are `<at>Name</at>` with the matching
`msteams.entities`, which is what makes Teams notify the person.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from bot.teams.budget import fitted
from bot.teams.images import with_images
from bot.teams.layout import lay_out
from handlers.messages import Card, FieldItem, Form, FormInput, Line, Mention, Text

JsonDict = dict[str, Any]

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
FORM_KEY = "bravo_form"
METADATA_KEY = "bravo_metadata"
RENDERING_KEY = "bravo_card"
INPUT_PREFIX = "bravo_input_"
MULTI_PREFIX = "bravo_multi_"
PEOPLE_PREFIX = "bravo_people_"
PEOPLE_DATASET = "graph.microsoft.com/users"
_STYLES = {"primary": "positive", "danger": "destructive"}
_ZERO_WIDTH = "\u200b"


def escape(text: str) -> str:
    """Literal text for a TextBlock: markdown and `<at>` tags are defused, so what a person typed shows as typed.

    Markdown characters get a backslash (Teams follows CommonMark escapes); angle brackets get a zero-width space,
    which breaks `<at>` tags without changing what the reader sees. Line breaks become paragraph breaks, the only
    kind a TextBlock shows.
    """
    escaped = re.sub(r"([\\`*_\[\]~])", r"\\\1", text)
    escaped = escaped.replace("<", "<" + _ZERO_WIDTH).replace(">", _ZERO_WIDTH + ">")
    escaped = re.sub(r"^(\s*)([-+])(\s)", r"\1\\\2\3", escaped, flags=re.MULTILINE)
    escaped = re.sub(r"^(\s*\d+)\.(\s)", r"\1\\.\2", escaped, flags=re.MULTILINE)
    return re.sub(r"\n+", "\n\n", escaped.replace("\r\n", "\n"))


class _Mentions:
    """Collects the mention entities of one card while its lines are rendered."""

    def __init__(self) -> None:
        self.entities: list[JsonDict] = []
        self._seen: set[tuple[str, str]] = set()

    def render(self, line: Line) -> str:
        return "".join(self._part(part) for part in line.parts)

    def _part(self, part: Text | Mention) -> str:
        if isinstance(part, Text):
            return escape(part.text)
        person = part.person
        name = person.name.replace("<", "").replace(">", "") or "?"
        if not person.teams_id:
            return "**" + escape(name) + "**"
        text = f"<at>{name}</at>"
        if (person.teams_id, text) not in self._seen:
            self._seen.add((person.teams_id, text))
            self.entities.append({"type": "mention", "text": text, "mentioned": {"id": person.teams_id, "name": name}})
        return text


def _text_block(text: str, **style: Any) -> JsonDict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _fields(fields: tuple[FieldItem, ...], mentions: _Mentions) -> list[JsonDict]:
    if not any(isinstance(part, Mention) for item in fields for part in item.value.parts):
        facts = [{"title": escape(item.label), "value": mentions.render(item.value)} for item in fields]
        return [{"type": "FactSet", "facts": facts}]
    return [_text_block(f"**{escape(item.label)}** {mentions.render(item.value)}", spacing="Small") for item in fields]


def _button(universal: bool, rendering: str) -> Callable[[str, JsonDict, str, str], JsonDict]:
    """A button submitting `data`: `Action.Submit`, or universal `Action.Execute` with a Submit fallback.

    Every button also carries `rendering`, drawn afresh each time a card is rendered: a double click sends the same
    one twice (and counts once), while the same button pressed again on the updated card (Previous question, once
    more) is a new press.
    """

    def button(title: str, data: JsonDict, style: str, verb: str) -> JsonDict:
        submit: JsonDict = {"type": "Action.Submit", "title": title, "data": {**data, RENDERING_KEY: rendering}}
        if style in _STYLES:
            submit["style"] = _STYLES[style]
        if not universal:
            return submit
        return {**submit, "type": "Action.Execute", "verb": verb, "fallback": submit}

    return button


def _card(body: list[JsonDict], actions: list[JsonDict], mentions: _Mentions) -> JsonDict:
    card: JsonDict = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    msteams: JsonDict = {"width": "Full"}
    if mentions.entities:
        msteams["entities"] = mentions.entities
    card["msteams"] = msteams
    return card


def render_card(card: Card, *, universal: bool = False) -> JsonDict:
    """An Adaptive Card for a neutral card, within Teams' limits (`layout`, `budget`); `universal` makes buttons
    `Action.Execute` (with a Submit fallback)."""
    return fitted(card, lambda shown: _render_card(shown, universal))


def _render_card(card: Card, universal: bool) -> JsonDict:
    mentions = _Mentions()
    body: list[JsonDict] = []
    if card.title:
        body.append(_text_block(escape(card.title), weight="Bolder", size="Medium"))
    for section in card.sections:
        blocks: list[JsonDict] = []
        if section.text is not None:
            blocks.append(_text_block(mentions.render(section.text)))
        if section.fields:
            blocks.extend(_fields(section.fields, mentions))
        if section.quote and blocks:
            body.append({"type": "Container", "style": "emphasis", "items": blocks})
        else:
            body.extend(blocks)
    layout = lay_out(card.choices, _button(universal, secrets.token_urlsafe(6)))
    body.extend(layout.body)
    for line in card.context:
        body.append(_text_block(mentions.render(line), isSubtle=True, size="Small"))
    if not body:
        body.append(_text_block(escape(card.summary or " ")))
    return with_images(_card(body, layout.actions, mentions), card.images)


def _input(item: FormInput) -> JsonDict:
    prefix = {"people": PEOPLE_PREFIX, "multiselect": MULTI_PREFIX}.get(item.kind, INPUT_PREFIX)
    element: JsonDict = {"id": prefix + item.name, "label": item.label, "isRequired": item.required}
    if item.required:
        element["errorMessage"] = item.label
    if item.placeholder:
        element["placeholder"] = item.placeholder
    if item.kind in ("people", "select", "multiselect"):
        element.update(
            type="Input.ChoiceSet",
            choices=[{"title": option.label, "value": option.value} for option in item.options],
            isMultiSelect=item.kind != "select",
            style="filtered" if item.kind == "people" else "compact",
        )
        if item.kind == "people":
            element["choices.data"] = {"type": "Data.Query", "dataset": PEOPLE_DATASET}
        if item.initial:
            element["value"] = ",".join(item.initial)
    elif item.kind == "number":
        element["type"] = "Input.Number"
        for key, value in (("min", item.min_value), ("max", item.max_value)):
            if value is not None:
                element[key] = value
        if item.initial:
            element["value"] = int(item.initial[0]) if item.initial[0].lstrip("-").isdigit() else None
    else:
        element.update(type="Input.Text", isMultiline=item.kind == "multiline")
        if item.max_length:
            element["maxLength"] = item.max_length
        if item.initial:
            element["value"] = item.initial[0]
    return {key: value for key, value in element.items() if value is not None}


def form_data(form: Form) -> JsonDict:
    return {FORM_KEY: form.action, METADATA_KEY: form.metadata}


def render_form(form: Form, *, universal: bool = False) -> JsonDict:
    """An Adaptive Card with the form's inputs and one submit button that carries the form's action."""
    body = [_text_block(escape(form.title), weight="Bolder", size="Medium")]
    body.extend(_input(item) for item in form.inputs)
    submit: JsonDict = {"type": "Action.Submit", "title": form.submit, "style": "positive", "data": form_data(form)}
    action = {**submit, "type": "Action.Execute", "verb": FORM_KEY, "fallback": submit} if universal else submit
    return _card(body, [action], _Mentions())
