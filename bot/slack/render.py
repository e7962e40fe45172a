"""Neutral cards as Block Kit messages and views, within Slack's limits (forms are `bot.slack.forms`): rendered for
every message, as plain dictionaries cut to Slack's limits (the tests check them with slack_sdk's models); a card
with more blocks or text than a message or a view holds is compacted, paged or shortened by `bot.slack.paging`.

User text is escaped (`&`, `<`, `>`, the only characters mrkdwn needs escaped), so a reason can never ping
`@channel` or disguise a link; mentions become `<@U…>` for people Slack knows and a bold name otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import PlainTextObject
from slack_sdk.models.views import View

from bot.slack.paging import MESSAGE_BLOCKS, MESSAGE_TEXT, VIEW_BLOCKS, pages, shortened
from handlers.messages import Card, Choice, Line, Text

ACTION_SEPARATOR = "|"
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_VIEW_TITLE = 24
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_BUTTONS_PER_BLOCK = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK = 3000
MAX_PRIVATE_METADATA = 3000
# A button whose value is too long for Slack carries this instead; the view's `private_metadata` holds the value.
VALUE_IN_METADATA = "bravo:private_metadata"


def escape(text: str) -> str:
    """mrkdwn escaping: Slack reads `<…>` as mentions and links, `&` starts an entity."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Plain text within `limit` characters, a cut marked with "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_mrkdwn(text: str, limit: int) -> str:
    """`cut` for mrkdwn, never inside a mention or an entity: in Bravo's mrkdwn, a `<` only opens a mention and a
    `&` only an entity (user text is escaped), so one left open by the cut is dropped whole."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    for opener, closer in (("<", ">"), ("&", ";")):
        at = head.rfind(opener)
        if at != -1 and closer not in head[at:]:
            head = head[:at]
    return head + "…"


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
    suffix = f"{ACTION_SEPARATOR}{index}"
    return action[: MAX_ACTION_ID - len(suffix)] + suffix


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
        blocks.append({"type": "header", "text": _plain_text(cut(card.title, MAX_HEADER))})
    for section in card.sections:
        text = mrkdwn(section.text) if section.text is not None else ""
        if section.quote and text:
            text = _quote(text)
        fields = [
            _mrkdwn_text(_cut_mrkdwn(f"*{escape(item.label)}*\n{mrkdwn(item.value)}", MAX_FIELD_TEXT))
            for item in section.fields
        ]
        if text:
            blocks.append({"type": "section", "text": _mrkdwn_text(_cut_mrkdwn(text, MAX_SECTION_TEXT))})
        for start in range(0, len(fields), MAX_FIELDS):
            blocks.append({"type": "section", "fields": fields[start : start + MAX_FIELDS]})
    if card.choices:
        buttons = [_button(choice, index) for index, choice in enumerate(card.choices)]
        for start in range(0, len(buttons), MAX_BUTTONS_PER_BLOCK):
            blocks.append({"type": "actions", "elements": buttons[start : start + MAX_BUTTONS_PER_BLOCK]})
    if card.context:
        texts = [mrkdwn(line) for line in card.context]
        last = MAX_CONTEXT_ELEMENTS - 1
        if len(texts) > MAX_CONTEXT_ELEMENTS:
            texts = [*texts[:last], "\n".join(texts[last:])]
        elements = [_mrkdwn_text(_cut_mrkdwn(text, MAX_FIELD_TEXT)) for text in texts]
        blocks.append({"type": "context", "elements": elements})
    return blocks


def _plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn_text(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _button(choice: Choice, index: int) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        # Slack refuses a button without text; a label that is empty (or only spaces) shows as "…".
        "text": _plain_text(cut(choice.label, MAX_BUTTON_TEXT) if choice.label.strip() else "…"),
        "action_id": action_id(choice.action, index),
    }
    if choice.value:
        # Bravo's long values (a form's inputs kept for "try again") put what matters first: the last resort keeps
        # the start; a modal carries a longer value whole (`result_view`).
        button["value"] = choice.value[:MAX_BUTTON_VALUE]
    if choice.style != "default":
        button["style"] = choice.style
    return button


def fallback_text(card: Card) -> str:
    """The notification text (also parsed as mrkdwn, so escaped too); never empty, as Slack requires one."""
    for candidate in (card.summary, card.plain(), card.title):
        if candidate and candidate.strip():
            return _cut_mrkdwn(escape(candidate.strip()), MAX_FALLBACK)
    return "Bravo"


def message_payload(card: Card) -> dict[str, Any]:
    """Keyword arguments for one message (chat.update, a replaced message): the card, shortened if it is too long."""
    return {"text": fallback_text(card), "blocks": shortened(card_blocks(card), MESSAGE_BLOCKS, MESSAGE_TEXT)}


def message_pages(card: Card) -> list[dict[str, Any]]:
    """Keyword arguments for chat.postMessage, chat.postEphemeral or a slash command's answer, one per message:
    a card longer than a message holds is sent as several, each numbered."""
    text = fallback_text(card)
    chunks = pages(card_blocks(card), MESSAGE_BLOCKS)
    if len(chunks) == 1:
        return [{"text": text, "blocks": chunks[0]}]
    total = len(chunks)
    return [{"text": f"{text} ({number}/{total})", "blocks": chunk} for number, chunk in enumerate(chunks, 1)]


def result_view(card: Card, *, title: str, close: str, metadata: str | None = None) -> dict[str, Any]:
    """A modal that shows a result card in place of the form that produced it; it keeps the form's `metadata` (where
    it was opened) unless a long button value needs the room."""
    blocks, carried = _view_content(card.model_copy(update={"title": None}) if card.title else card)
    view = View(
        type="modal",
        title=PlainTextObject(text=cut(card.title or title, MAX_VIEW_TITLE)),
        close=PlainTextObject(text=cut(close, MAX_VIEW_TITLE)),
        private_metadata=carried or metadata or None,
        blocks=blocks,
    )
    return view.to_dict()


def home_view(card: Card) -> dict[str, Any]:
    blocks, metadata = _view_content(card)
    return View(type="home", private_metadata=metadata, blocks=blocks).to_dict()


def _view_content(card: Card) -> tuple[list[dict[str, Any]], str | None]:
    """A view's blocks (at most 100) and its `private_metadata`: a button value too long for Slack's 2,000
    characters travels there (up to 3,000), the button carrying `VALUE_IN_METADATA` (see `button_value`)."""
    long = next((choice for choice in card.choices if len(choice.value) > MAX_BUTTON_VALUE), None)
    if long is not None:
        choices = tuple(
            choice.model_copy(update={"value": VALUE_IN_METADATA}) if choice is long else choice
            for choice in card.choices
        )
        card = card.model_copy(update={"choices": choices})
    return shortened(card_blocks(card), VIEW_BLOCKS), long.value[:MAX_PRIVATE_METADATA] if long else None


def button_value(value: str, view: Mapping[str, Any] | None) -> str:
    """A pressed button's value as Bravo gave it, read back from the view when it travelled there."""
    if value == VALUE_IN_METADATA and view is not None:
        return str(view.get("private_metadata") or "")
    return value
