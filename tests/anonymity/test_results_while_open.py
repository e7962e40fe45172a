"""While a pulse is open, every output shows at most how many have answered: no figure that moves with an answer.

An admin (or a manager) who reads `/pulse results`, `bravo pulse results` (text and `--json`) and the digests before
and after a colleague changes an answer must see exactly the same thing. Reminders still reach exactly those who
have not answered, and the participation counts stay right.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from sqlmodel import update

from handlers.pulse import send_reminders
from storage.models import PulseRound
from storage.models.base import utcnow
from tests.anonymity.slack_team import SlackTeam, blocks_text
from tests.anonymity.support import no_leak
from tests.anonymity.taps import ANSWERS, CHANGER, MANAGER, ORDER
from tests.bot.slack.test_pulse import dms
from tests.conftest import both_engines

FIGURE_KEYS = {"average", "distribution", "enps", "score", "change", "comments", "participation_change"}
FIGURE_TEXT = re.compile(r"\d+(?:[.,]\d+)? out of \d+|\d+(?:[.,]\d+)?/10|eNPS|Average|Distribution|[↑↓→]")


def figures(item: Any, path: str = "") -> list[str]:
    """Where a JSON document carries a result figure (an average, a distribution, a score, a trend…)."""
    if isinstance(item, dict):
        found = [f"{path}.{key}" for key, value in item.items() if key in FIGURE_KEYS and value not in (None, [], {})]
        return found + [hit for key, value in item.items() for hit in figures(value, f"{path}.{key}")]
    if isinstance(item, list):
        return [hit for index, value in enumerate(item) for hit in figures(value, f"{path}[{index}]")]
    return []


async def outputs(team: SlackTeam) -> dict[str, str]:
    """Everything Bravo shows about the pulse right now, as the manager and the admin read it."""
    slash = json.loads(await team.slash(MANAGER[0], "/pulse", "results"))
    return {
        "bravo pulse results --json": await team.cli("pulse", "results", "--json"),
        "bravo pulse results": await team.cli("pulse", "results"),
        "/pulse results": slash.get("text", "") + blocks_text(slash),
        "bravo digest send --now --dry-run": await team.cli("digest", "send", "--now", "--dry-run"),
    }


@both_engines
async def test_while_open_outputs_show_only_how_many_answered_and_do_not_move_with_an_answer(
    slack_team: SlackTeam,
) -> None:
    for person in ORDER:
        await slack_team.tap(slack_team.users[person], str(ANSWERS[0][person]))
    before = await outputs(slack_team)
    await slack_team.tap(slack_team.users[CHANGER], "Previous question")
    await slack_team.tap(slack_team.users[CHANGER], "1")
    after = await outputs(slack_team)
    problems = []
    document = json.loads(before["bravo pulse results --json"])
    problems += [f"`bravo pulse results --json` shows {where} while open" for where in figures(document)]
    (group,) = document["teams"]
    if (group.get("answered"), group.get("invited")) != (7, 7):
        problems.append(f"`bravo pulse results --json` does not say 7 of 7 answered so far: {group}")
    for name, shown in before.items():
        if name.endswith("--json"):
            continue
        problems += [f"`{name}` shows {hit!r} while open" for hit in sorted(set(FIGURE_TEXT.findall(shown)))]
        if "7 of 7" not in shown:
            problems.append(f"`{name}` does not say 7 of 7 answered so far")
    problems += [
        f"`{name}` changed when one person changed an answer" for name in before if before[name] != after[name]
    ]
    no_leak(problems, "while the pulse is open:")


@both_engines
async def test_reminders_reach_exactly_those_who_have_not_answered_and_participation_counts_are_right(
    slack_team: SlackTeam,
) -> None:
    answered = [slack_team.users[person] for person in ORDER[:5]]
    for user in answered:
        await slack_team.tap(user, "4")
    async with slack_team.runtime.database.transaction() as session:
        await session.exec(update(PulseRound).values(remind_at=utcnow() - timedelta(minutes=1)))
    async with slack_team.runtime.database.transaction() as session:
        reminded = await send_reminders(session, policy=slack_team.runtime.policy, now=utcnow())
    await slack_team.bravo.drain()
    waiting = [user for user in slack_team.users if user not in answered]
    assert reminded == 2
    assert [user for user in slack_team.users if len(dms(slack_team.bravo, user)) > 1] == waiting
    await slack_team.tap(waiting[0], "2", which=1)
    await slack_team.cli("pulse", "close")
    (group,) = json.loads(await slack_team.cli("pulse", "results", "--json"))["teams"]
    assert (group["answered"], group["invited"], group["participation"]) == (6, 7, round(6 / 7, 3))
    assert sorted(question.get("responses", 0) for question in group["questions"]) == [0, 0, 6]
