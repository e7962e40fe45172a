"""Block lists longer than Slack takes, brought within its limits: compacted, split into pages, or shortened.

Slack refuses a message of more than 50 blocks and a view (modal, Home tab) of more than 100 (`invalid_blocks`): an
admin's `/pulse results` over many teams or a manager's digest of several busy teams easily build more.
chat.postMessage also refuses a message whose blocks hold more than about 12,000 characters of text in all
(`msg_blocks_too_long`: not in the reference, but 12,000 is the documented total of a markdown block and the figure
Slack's engineers give for blocks too, slackapi/bolt-js#2509), so a message's pages stay under that as well.

A card that fits is sent as built. One that does not is first compacted without losing a word: a section's text and
the fields that follow it share one block, and consecutive text sections are joined up to Slack's 3,000 characters.
If it is still too long, it is split into pages where Bravo can send several messages (a direct message, a channel
post, a slash command's answer), each page repeating the title with its number; where only one message or view can be
shown (a message updated in place, a modal, the Home tab) it is cut, with a closing "…", keeping its buttons.
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
MESSAGE_TEXT = 12_000
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELDS = 10
HEADER_TEXT = 150
MORE = "…"
TRAILING = ("actions", "context")

Block = dict[str, Any]


def _text_only(block: Block) -> bool:
    return block.get("type") == "section" and "text" in block and not {"fields", "accessory", "block_id"} & set(block)


def _fields_only(block: Block) -> bool:
    return block.get("type") == "section" and "fields" in block and not {"text", "accessory", "block_id"} & set(block)


def compact(blocks: list[Block]) -> list[Block]:
    """The same words in fewer blocks: text sections joined (within 3,000 characters), fields under their text."""
    merged: list[Block] = []
    for block in blocks:
        last = merged[-1] if merged else None
        if last is not None and _text_only(last) and _text_only(block) and last["text"]["type"] == "mrkdwn":
            joined = last["text"]["text"] + "\n\n" + block["text"]["text"]
            if block["text"]["type"] == "mrkdwn" and len(joined) <= SECTION_TEXT:
                merged[-1] = {"type": "section", "text": {**last["text"], "text": joined}}
                continue
        if last is not None and _text_only(last) and _fields_only(block) and len(block["fields"]) <= FIELDS:
            merged[-1] = {**last, "fields": block["fields"]}
            continue
        merged.append(block)
    return merged


def text_length(value: Any) -> int:
    """The characters of text a block holds (every `text` inside it), as Slack counts them toward a message."""
    if isinstance(value, dict):
        return sum(
            len(item) if key == "text" and isinstance(item, str) else text_length(item) for key, item in value.items()
        )
    if isinstance(value, list):
        return sum(text_length(item) for item in value)
    return 0


def _fits(blocks: list[Block], limit: int, text: int | None) -> bool:
    return len(blocks) <= limit and (text is None or text_length(blocks) <= text)


def pages(blocks: list[Block], limit: int = MESSAGE_BLOCKS, text: int | None = MESSAGE_TEXT) -> list[list[Block]]:
    """The blocks as one message if they fit (compacted if need be), else as pages of at most `limit` blocks and
    `text` characters.

    Every page starts with the title (numbered `(2/3)`), so a page read alone still says what it continues; the
    buttons and small print stay at the end, on the last page.
    """
    if _fits(blocks, limit, text):
        return [blocks]
    blocks = compact(blocks)
    if _fits(blocks, limit, text):
        return [blocks]
    header = blocks[0] if blocks[0].get("type") == "header" else None
    rest = blocks[1:] if header is not None else blocks
    room = limit - (1 if header is not None else 0)
    budget = None if text is None else text - text_length(header) - len(" (99/99)")
    chunks: list[list[Block]] = [[]]
    used = 0
    for block in rest:
        size = text_length(block)
        if chunks[-1] and (len(chunks[-1]) >= room or (budget is not None and used + size > budget)):
            chunks.append([])
            used = 0
        chunks[-1].append(block)
        used += size
    if header is None:
        return chunks
    return [[numbered(header, number, len(chunks)), *chunk] for number, chunk in enumerate(chunks, 1)]


def numbered(header: Block, number: int, total: int) -> Block:
    """A header block with `(number/total)` after its text, still within Slack's 150 characters."""
    suffix = f" ({number}/{total})"
    text = str(header["text"]["text"])
    if len(text) + len(suffix) > HEADER_TEXT:
        text = text[: HEADER_TEXT - len(suffix) - 1] + MORE
    return {**header, "text": {**header["text"], "text": text + suffix}}


def shortened(blocks: list[Block], limit: int, text: int | None = None) -> list[Block]:
    """The blocks as one message or view: compacted if need be, else cut after what fits, with a closing "…".

    The title stays first and the buttons and small print at the end, so whatever the card asks of its reader can
    still be done.
    """
    if _fits(blocks, limit, text):
        return blocks
    blocks = compact(blocks)
    if _fits(blocks, limit, text):
        return blocks
    head = blocks[:1] if blocks[0].get("type") == "header" else []
    body = blocks[len(head) :]
    split = len(body)
    while split > 0 and body[split - 1].get("type") in TRAILING:
        split -= 1
    tail = body[split:][-(limit // 2) :]
    more: Block = {"type": "context", "elements": [{"type": "mrkdwn", "text": MORE}]}
    room = limit - len(head) - len(tail) - 1
    budget = None if text is None else text - text_length([*head, *tail, more])
    kept: list[Block] = []
    for block in body[:split][:room]:
        if budget is not None:
            budget -= text_length(block)
            if budget < 0:
                break
        kept.append(block)
    return [*head, *kept, more, *tail]
