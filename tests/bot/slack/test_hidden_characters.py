"""Direction overrides and invisible characters never reach a post: what someone typed, or put in their Slack name,
shows as it reads (a `/kudos` through the real endpoint, the posts read from the local fake Web API)."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from handlers.messages import Line, neutralised
from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo
from tests.fakes.slack_requests import slash_command
from tests.fakes.slack_workspace import make_user

RLO, LRI, PDI, ZWSP, ZWJ, ZWNJ, BOM, LRM = (
    "\u202e",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200d",
    "\u200c",
    "\ufeff",
    "\u200e",
)
HIDDEN = re.compile("[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
FAMILY = "👩\u200d👩\u200d👧"  # an emoji sequence held together by zero-width joiners
PERSIAN = "می\u200cخواهم"  # "I want": the non-joiner is part of the spelling


def everything_shown(message: dict[str, Any]) -> str:
    return message.get("text", "") + json.dumps(message.get("blocks", []), ensure_ascii=False)


async def test_a_kudos_reason_and_a_name_show_as_they_read_in_every_post(bravo: SlackBravo) -> None:
    bravo.api.users["U2"] = make_user("U2", "bob", real_name=f"Bob {RLO}nimdA{PDI}")
    reason = f"thanks for {RLO}lanigiro{PDI} the {ZWSP}re{BOM}lease{LRM} {ZWJ}{FAMILY} {PERSIAN} {LRI}x{PDI}"
    status, body, _ = await bravo.post(slash_command("/kudos", f"<@U2|bob> {reason}", user_id="U1"))
    assert status == 200, body
    await bravo.drain()
    (post,) = bravo.posts_to(RECOGNITION_CHANNEL)
    (message,) = bravo.posts_to("U2")
    confirmation = json.loads(body)
    for shown in map(everything_shown, (confirmation, post, message)):
        assert HIDDEN.search(shown) is None, repr(shown)
        assert FAMILY in shown and PERSIAN in shown and "lanigiro the release" in shown and f" {ZWJ}" not in shown
    assert "@Bob nimdA" in confirmation["text"]


@given(st.text())
def test_neutralised_text_keeps_every_visible_character_and_only_joiners_that_join(text: str) -> None:
    shown = neutralised(text)
    assert HIDDEN.search(shown) is None
    assert shown.replace(ZWJ, "").replace(ZWNJ, "") == HIDDEN.sub("", text).replace(ZWJ, "").replace(ZWNJ, "")
    for match in re.finditer(f"[{ZWJ}{ZWNJ}]", shown):
        start, end = match.span()
        assert 0 < start and end < len(shown) and not shown[start - 1].isspace() and not shown[end].isspace()
    assert Line.of(text).plain() == shown and neutralised(shown) == shown
