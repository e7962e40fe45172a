"""Reading the Adaptive Cards Bravo sent to the fake Bot Connector: their buttons and their choice inputs."""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]


def content(activity: JsonDict) -> JsonDict:
    """The Adaptive Card an activity carries."""
    (attachment,) = activity["attachments"]
    card: JsonDict = attachment["content"]
    return card


def action_lists(card: JsonDict) -> list[list[JsonDict]]:
    """Every list of buttons a person sees: each row (`ActionSet`) in the body, then the card's own actions."""
    found: list[list[JsonDict]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "ActionSet":
                found.append(list(node["actions"]))
            for key, value in node.items():
                if key not in ("fallback", "actions"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body", []))
    found.append(list(card.get("actions", [])))
    return found


def buttons(card: JsonDict) -> list[JsonDict]:
    return [action for actions in action_lists(card) for action in actions]


def button(card: JsonDict, title: str) -> JsonDict:
    """The button a person reads as `title`."""
    matches = [action for action in buttons(card) if action["title"] == title]
    assert len(matches) == 1, (title, [action["title"] for action in buttons(card)])
    return matches[0]


def choice_input(card: JsonDict) -> JsonDict:
    """The card's one list of choices (`Input.ChoiceSet`)."""
    found = [item for item in card.get("body", []) if item.get("type") == "Input.ChoiceSet"]
    assert len(found) == 1, card.get("body")
    return found[0]
