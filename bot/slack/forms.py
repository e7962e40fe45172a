"""Neutral forms as Slack modals (through slack_sdk's models, which check Slack's limits), and a submitted view's
state back as neutral form values."""

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

from bot.slack.render import MAX_VIEW_TITLE, cut
from handlers.messages import Form, FormInput

INPUT_ACTION = "value"
MAX_OPTION_TEXT = 75


def _options(item: FormInput) -> list[Option]:
    return [Option(text=cut(option.label, MAX_OPTION_TEXT), value=option.value) for option in item.options[:100]]


def _element(item: FormInput, slack_users: Mapping[str, str]) -> InputInteractiveElement:
    placeholder = PlainTextObject(text=cut(item.placeholder, 150)) if item.placeholder else None
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
            label=PlainTextObject(text=cut(item.label, 2000)),
            element=_element(item, slack_users or {}),
            optional=not item.required,
        )
        for item in form.inputs
    ]
    view = View(
        type="modal",
        callback_id=form.action,
        title=PlainTextObject(text=cut(form.title, MAX_VIEW_TITLE)),
        submit=PlainTextObject(text=cut(form.submit, MAX_VIEW_TITLE)),
        close=PlainTextObject(text=cut(close, MAX_VIEW_TITLE)),
        private_metadata=form.metadata[:3000] or None,
        blocks=blocks,
    )
    return view.to_dict()


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
