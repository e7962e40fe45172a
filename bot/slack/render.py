"""Neutral cards and forms as Block Kit, within Slack's limits: forms through slack_sdk's models, which check them;
cards, rendered for every message, as plain dictionaries cut to the same limits (the tests check them with slack_sdk).

User text is escaped (`&`, `<`, `>`, the only characters mrkdwn needs escaped), so a reason can never ping
`@channel` or disguise a link; mentions become `<@U…>` for people Slack knows and a bold name otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.blocks.block_elements import InputInteractiveElement
from slack_sdk.models.views import View

from handlers.messages import Card, Choice, Form, FormInput, Line, Text

ACTION_SEPARATOR = "|"
INPUT_ACTION = "value"
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_VIEW_TITLE = 24
MAX_BUTTON_TEXT = 75
MAX_OPTION_TEXT = 75
MAX_FALLBACK = 3000


def escape(text: str) -> str:
    """mrkdwn escaping: Slack reads `<…>` as mentions and links, `&` starts an entity."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mrkdwn(line: Line) -> str:
    """A line as mrkdwn: escaped words, real mentions."""
    out: list[str] = []
    for part in line.parts:
        if isinstance(part, Text):
            out.append(escape(part.text))
        elif part.person.slack_id:
            out.append(f"<@{part.person.slack_id}>")
        else:
            out.append(f"*{escape(part.person.name)}*")
    return "".join(out)


def _quote(text: str) -> str:
    return "\n".join(f">{row}" for row in text.split("\n"))


def action_id(action: str, index: int) -> str:
    """Buttons in one block need distinct action ids; the index is dropped again on the way back."""
    return f"{action}{ACTION_SEPARATOR}{index}"


def action_name(received: str) -> str:
    return received.split(ACTION_SEPARATOR, 1)[0]


def card_blocks(card: Card) -> list[dict[str, Any]]:
    """The card's blocks: header, sections (fields ten at a time), buttons, small print.

    Built as plain dictionaries, every text already cut to Slack's limits: a card is rendered for every message and
    every acknowledgement, and slack_sdk's models re-validate each object on `to_dict()`. The tests check these
    blocks with slack_sdk's models.
    """
    blocks: list[dict[str, Any]] = []
    if card.title:
        blocks.append({"type": "header", "text": _plain_text(_cut(card.title, MAX_HEADER))})
    for section in card.sections:
        text = mrkdwn(section.text) if section.text is not None else ""
        if section.quote and text:
            text = _quote(text)
        fields = [
            _mrkdwn_text(_cut(f"*{escape(item.label)}*\n{mrkdwn(item.value)}", MAX_FIELD_TEXT))
            for item in section.fields
        ]
        if text:
            blocks.append({"type": "section", "text": _mrkdwn_text(_cut(text, MAX_SECTION_TEXT))})
        for start in range(0, len(fields), MAX_FIELDS):
            blocks.append({"type": "section", "fields": fields[start : start + MAX_FIELDS]})
    if card.choices:
        buttons = [_button(choice, index) for index, choice in enumerate(card.choices)]
        for start in range(0, len(buttons), 25):
            blocks.append({"type": "actions", "elements": buttons[start : start + 25]})
    if card.context:
        elements = [_mrkdwn_text(_cut(mrkdwn(line), MAX_FIELD_TEXT)) for line in card.context[:10]]
        blocks.append({"type": "context", "elements": elements})
    return blocks


def _plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn_text(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _button(choice: Choice, index: int) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": _plain_text(_cut(choice.label, MAX_BUTTON_TEXT)),
        "action_id": action_id(choice.action, index),
    }
    if choice.value:
        button["value"] = choice.value
    if choice.style != "default":
        button["style"] = choice.style
    return button


def fallback_text(card: Card) -> str:
    """The notification text (also parsed as mrkdwn, so escaped too)."""
    return escape(_cut(card.summary or card.plain() or card.title or "Bravo", MAX_FALLBACK))


def message_payload(card: Card) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage, chat.postEphemeral, chat.update or a slash command's answer."""
    return {"text": fallback_text(card), "blocks": card_blocks(card)}


def _options(item: FormInput) -> list[Option]:
    return [Option(text=_cut(option.label, MAX_OPTION_TEXT), value=option.value) for option in item.options[:100]]


def _element(item: FormInput, slack_users: Mapping[str, str]) -> InputInteractiveElement:
    placeholder = PlainTextObject(text=_cut(item.placeholder, 150)) if item.placeholder else None
    if item.kind == "people":
        users = [slack_users[value] for value in item.initial if value in slack_users]
        return UserMultiSelectElement(action_id=INPUT_ACTION, initial_users=users or None, placeholder=placeholder)
    if item.kind in ("select", "multiselect"):
        options = _options(item)
        chosen = [option for option in options if option.value in item.initial]
        if item.kind == "select":
            return StaticSelectElement(
                action_id=INPUT_ACTION, options=options, initial_option=chosen[0] if chosen else None
            )
        return StaticMultiSelectElement(action_id=INPUT_ACTION, options=options, initial_options=chosen or None)
    if item.kind == "number":
        return NumberInputElement(
            action_id=INPUT_ACTION,
            is_decimal_allowed=False,
            initial_value=item.initial[0] if item.initial else None,
            min_value=item.min_value,
            max_value=item.max_value,
        )
    return PlainTextInputElement(
        action_id=INPUT_ACTION,
        multiline=item.kind == "multiline",
        initial_value=item.initial[0] if item.initial else None,
        max_length=item.max_length,
        placeholder=placeholder,
    )


def form_view(form: Form, *, close: str, slack_users: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A modal for the form; `slack_users` maps the people inputs' person ids to Slack user ids."""
    blocks = [
        InputBlock(
            block_id=item.name,
            label=PlainTextObject(text=_cut(item.label, 2000)),
            element=_element(item, slack_users or {}),
            optional=not item.required,
        )
        for item in form.inputs
    ]
    view = View(
        type="modal",
        callback_id=form.action,
        title=PlainTextObject(text=_cut(form.title, MAX_VIEW_TITLE)),
        submit=PlainTextObject(text=_cut(form.submit, MAX_VIEW_TITLE)),
        close=PlainTextObject(text=_cut(close, MAX_VIEW_TITLE)),
        private_metadata=form.metadata[:3000] or None,
        blocks=blocks,
    )
    return view.to_dict()


def result_view(card: Card, *, title: str, close: str) -> dict[str, Any]:
    """A modal that shows a result card in place of the form that produced it."""
    view = View(
        type="modal",
        title=PlainTextObject(text=_cut(card.title or title, MAX_VIEW_TITLE)),
        close=PlainTextObject(text=_cut(close, MAX_VIEW_TITLE)),
        blocks=card_blocks(card.model_copy(update={"title": None}) if card.title else card),
    )
    return view.to_dict()


def home_view(card: Card) -> dict[str, Any]:
    return View(type="home", blocks=card_blocks(card)).to_dict()


def submitted_values(state: Mapping[str, Any], people: Mapping[str, int]) -> dict[str, tuple[str, ...]]:
    """A view's `state.values` as neutral form values; user pickers give Bravo person ids (via `people`)."""
    values: dict[str, tuple[str, ...]] = {}
    for block_id, actions in state.items():
        if not isinstance(actions, Mapping):
            continue
        for element in actions.values():
            values[block_id] = _element_values(element, people)
    return values


def _element_values(element: Mapping[str, Any], people: Mapping[str, int]) -> tuple[str, ...]:
    users = element.get("selected_users")
    if users is None and element.get("selected_user"):
        users = [element["selected_user"]]
    if users is not None:
        return tuple(str(people[str(user)]) for user in users if str(user) in people)
    if element.get("selected_options") is not None:
        return tuple(str(option.get("value", "")) for option in element["selected_options"])
    if element.get("selected_option"):
        return (str(element["selected_option"].get("value", "")),)
    value = element.get("value")
    return (str(value),) if value not in (None, "") else ()


def picked_users(state: Mapping[str, Any]) -> list[str]:
    """Slack user ids chosen in a view state's user pickers."""
    users: list[str] = []
    for actions in state.values():
        if not isinstance(actions, Mapping):
            continue
        for element in actions.values():
            users.extend(str(user) for user in element.get("selected_users") or ())
            if element.get("selected_user"):
                users.append(str(element["selected_user"]))
    return users
