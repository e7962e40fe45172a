"""Would Slack accept this payload? slack_sdk's Block Kit models, plus the documented limits they leave unchecked.

slack_sdk (3.48) checks many per-object limits when a model is built and serialised (`to_dict()` validates every
nested object): section text 3,000 and 10 fields, header 150, button text 75 and value 2,000, `action_id` and
`block_id` 255, 25 elements per actions block, 10 per context block, view title 24 and 100 blocks per view. It does
not check the 50 blocks of a message, the 2,000 characters of each section field, the top-level `text` fallback,
unique `block_id`s in a message or unique `action_id`s in a block, nor that a modal with inputs has a submit button.
Every documented limit is checked here explicitly as well, so a payload gets all its problems listed (slack_sdk
stops at the first) and the check does not depend on which slack_sdk version is installed.

Lengths are counted in Unicode code points, as Python and slack_sdk count them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ID_LENGTH = 255
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
VIEW_TITLE = 24
INPUT_LABEL = 2000
PRIVATE_METADATA = 3000
VIEW_TYPES = ("modal", "home")


def slack_problems(payload: Mapping[str, Any]) -> list[str]:
    """Every reason Slack would refuse (or silently damage) this payload; empty when it is fine.

    Takes a chat.postMessage / chat.postEphemeral / chat.update / response_url / slash-command answer body, a view
    (`{"type": "modal" | "home", ...}`) or a views.open / views.update / views.publish body (`{"view": {...}}`).
    """
    view = payload.get("view")
    if isinstance(view, Mapping):
        return [f"view.{problem}" for problem in view_problems(view)]
    if payload.get("type") in VIEW_TYPES:
        return view_problems(payload)
    return message_problems(payload)


def message_problems(message: Mapping[str, Any]) -> list[str]:
    """A message: a non-empty `text` fallback (notifications, screen readers) and at most 50 valid blocks."""
    problems: list[str] = []
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append("text: a message needs a non-empty top-level `text` fallback")
    blocks = message.get("blocks")
    if blocks is None:
        return problems
    if not isinstance(blocks, list):
        return [*problems, f"blocks: a list expected, got {type(blocks).__name__}"]
    if len(blocks) > MESSAGE_BLOCKS:
        problems.append(f"blocks: {len(blocks)} blocks, a message holds at most {MESSAGE_BLOCKS}")
    return problems + blocks_problems(blocks)


def view_problems(view: Mapping[str, Any]) -> list[str]:
    """A modal or Home tab: slack_sdk's View model, at most 100 valid blocks, a modal's title and buttons."""
    problems: list[str] = []
    kind = view.get("type")
    if kind not in VIEW_TYPES:
        problems.append(f"type: {kind!r} is not a view type Bravo sends ({', '.join(VIEW_TYPES)})")
    try:
        View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
        problems.append(f"slack_sdk View refused it: {error}")
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        problems.append("blocks: a view needs at least one block")
        blocks = []
    elif len(blocks) > VIEW_BLOCKS:
        problems.append(f"blocks: {len(blocks)} blocks, a view holds at most {VIEW_BLOCKS}")
    if kind == "modal":
        problems.extend(_modal_problems(view, blocks))
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > PRIVATE_METADATA:
        problems.append(f"private_metadata: {len(metadata)} characters > {PRIVATE_METADATA}")
    return problems + blocks_problems(blocks)


def _modal_problems(view: Mapping[str, Any], blocks: list[Any]) -> list[str]:
    problems: list[str] = []
    title = _text_of(view.get("title"))
    if not title:
        problems.append("title: a modal needs a title")
    for key in ("title", "submit", "close"):
        text = _text_of(view.get(key))
        if text is not None and len(text) > VIEW_TITLE:
            problems.append(f"{key}: {len(text)} characters > {VIEW_TITLE}")
    has_input = any(isinstance(block, Mapping) and block.get("type") == "input" for block in blocks)
    if has_input and not view.get("submit"):
        problems.append("submit: a modal with input blocks needs a submit button")
    return problems


def blocks_problems(blocks: list[Any]) -> list[str]:
    """Each block through slack_sdk and the documented limits; `block_id`s unique across the blocks."""
    problems: list[str] = []
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        if not isinstance(block, Mapping):
            problems.append(f"{where}: an object expected, got {type(block).__name__}")
            continue
        problems.extend(_sdk_problems(block, where))
        problems.extend(_block_limits(block, where))
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen:
                problems.append(f"{where}.block_id: {block_id!r} repeats an earlier block's id")
            seen.add(block_id)
    return problems


def _sdk_problems(block: Mapping[str, Any], where: str) -> list[str]:
    """slack_sdk's own verdict: parse the block into its model, then serialise it (which validates every part)."""
    try:
        parsed = Block.parse(dict(block))
        if parsed is None:
            return [f"{where}: slack_sdk does not know block type {block.get('type')!r}"]
        parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
        return [f"{where}: slack_sdk refused it: {error}"]
    return []


def _block_limits(block: Mapping[str, Any], where: str) -> list[str]:
    problems = _too_long(block.get("block_id"), ID_LENGTH, f"{where}.block_id")
    kind = block.get("type")
    if kind == "section":
        problems += _text_problems(block.get("text"), SECTION_TEXT, f"{where}.text")
        fields = block.get("fields") or []
        if len(fields) > FIELDS:
            problems.append(f"{where}.fields: {len(fields)} fields > {FIELDS}")
        for index, field in enumerate(fields):
            problems += _text_problems(field, FIELD_TEXT, f"{where}.fields[{index}]")
        if block.get("text") is None and not fields:
            problems.append(f"{where}: a section needs text or fields")
    elif kind == "header":
        problems += _text_problems(block.get("text"), HEADER_TEXT, f"{where}.text")
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > CONTEXT_ELEMENTS:
            problems.append(f"{where}.elements: {len(elements)} elements > {CONTEXT_ELEMENTS}")
    elif kind == "actions":
        elements = block.get("elements") or []
        if len(elements) > ACTIONS_ELEMENTS:
            problems.append(f"{where}.elements: {len(elements)} elements > {ACTIONS_ELEMENTS}")
    elif kind == "input":
        problems += _text_problems(block.get("label"), INPUT_LABEL, f"{where}.label")
    action_ids: set[str] = set()
    for path, element in _elements(block, where):
        problems += _element_limits(element, path)
        action = element.get("action_id")
        if isinstance(action, str):
            if action in action_ids:
                problems.append(f"{path}.action_id: {action!r} repeats another element's in the same block")
            action_ids.add(action)
    return problems


def _elements(block: Mapping[str, Any], where: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The interactive elements of a block: an accessory, an input's element, an actions block's elements."""
    for key in ("accessory", "element"):
        element = block.get(key)
        if isinstance(element, Mapping):
            yield f"{where}.{key}", element
    if block.get("type") == "actions":
        for index, element in enumerate(block.get("elements") or []):
            if isinstance(element, Mapping):
                yield f"{where}.elements[{index}]", element


def _element_limits(element: Mapping[str, Any], where: str) -> list[str]:
    problems = _too_long(element.get("action_id"), ID_LENGTH, f"{where}.action_id")
    if element.get("type") == "button":
        problems += _text_problems(element.get("text"), BUTTON_TEXT, f"{where}.text")
        problems += _too_long(element.get("value"), BUTTON_VALUE, f"{where}.value")
        problems += _too_long(element.get("url"), BUTTON_URL, f"{where}.url")
    return problems


def _text_of(obj: Any) -> str | None:
    if isinstance(obj, Mapping):
        text = obj.get("text")
        return text if isinstance(text, str) else None
    return None


def _text_problems(obj: Any, limit: int, where: str) -> list[str]:
    if obj is None:
        return []
    text = _text_of(obj)
    if text is None:
        return [f"{where}: a text object with a string `text` expected"]
    if not text:
        return [f"{where}: empty text"]
    return _too_long(text, limit, where)


def _too_long(value: Any, limit: int, where: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"{where}: {len(value):,} characters > {limit:,}"]
    return []
