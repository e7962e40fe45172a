"""Ballot tokens never reach the database in a usable form, and holding one is not enough to answer.

The tokens are read from what the platform received (button values, modal metadata), then looked for — and every
unkeyed hash of them an attacker could compute — in every cell of every table after the pulse is sent, after each tap
and after close, and in the raw bytes: the SQLite file and its WAL, the PostgreSQL heap pages (dead row versions
included). A colleague holding someone's buttons, or a replayed earlier tap, must change nothing.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from pathlib import Path
from typing import Any

from tests.anonymity.slack_team import SlackTeam, blocks_text
from tests.anonymity.support import Reader, bytes_holding, no_leak, secrets_in, summary, token_secrets
from tests.anonymity.taps import script
from tests.anonymity.teams_team import TeamsTeam
from tests.bot.slack.test_pulse import button
from tests.conftest import both_engines

FILES = {"": "the database file", "-wal": "its WAL", "-shm": "its WAL index", "-journal": "its journal"}


@both_engines
async def test_no_token_people_received_nor_an_unkeyed_hash_of_it_is_ever_in_the_database(
    team: SlackTeam | TeamsTeam,
) -> None:
    reader = Reader(team.runtime.database)
    reads = [("after the pulse was sent", await reader.snapshot())]
    taps = script(team.users)
    for user, choice in taps:
        await team.tap(user, choice)
        reads.append(("after a tap", await reader.snapshot()))
    await team.cli("pulse", "close")
    reads.append(("after close", await reader.snapshot()))
    tokens = team.received_tokens()
    assert len(tokens) >= 7, f"found {len(tokens)} ballot tokens in what the platform received: adapt ballot_tokens"
    secrets = token_secrets(tokens)
    found = [f"{moment}: {where}" for moment, snapshot in reads for where in set(secrets_in(snapshot, secrets))]
    if team.runtime.database.is_sqlite:
        stem = Path(str(team.runtime.database.url.database)).name
        for name, content in (await reader.sqlite_files()).items():
            file = FILES.get(name.removeprefix(stem), name)
            found.extend(f"after close, in {file}: {what}" for what in bytes_holding(content, secrets))
    else:
        pages = await reader.postgres_pages()
        if pages is None:
            warnings.warn("pageinspect could not be installed: PostgreSQL pages were not read", stacklevel=1)
        found.extend(
            f"after close, in the table and index pages: {what}" for what in bytes_holding(pages or b"", secrets)
        )
    heading = f"tokens people received, or unkeyed hashes of them, in {len(reads)} reads of the database (one after "
    heading += f"sending, {len(taps)} after a tap, one after closing) and in its bytes after closing:"
    no_leak(summary(found, len(reads), "reads"), heading)


def _first_question(document: dict[str, Any]) -> dict[str, Any]:
    """The question everyone answered (the pulse's first), from `bravo pulse results --json` after close."""
    (group,) = document["teams"]
    (question,) = [item for item in group["questions"] if item.get("responses") == 7]
    return dict(question)


def _answer_of(document: dict[str, Any], value: int) -> int:
    """How many answered `value` to the pulse's first question."""
    return int(_first_question(document)["distribution"][str(value)])


async def _everyone_else_answers(team: SlackTeam, skip: set[str], answer: str) -> dict[str, Any]:
    for user in team.users:
        if user not in skip:
            await team.tap(user, answer)
    await team.cli("pulse", "close")
    return dict(json.loads(await team.cli("pulse", "results", "--json")))


@both_engines
async def test_a_colleague_holding_someones_buttons_can_neither_read_nor_change_their_answer(
    slack_team: SlackTeam,
) -> None:
    owner, colleague = slack_team.users[:2]
    first = slack_team.message(owner)
    await slack_team.tap(owner, "4")
    back = button(slack_team.message(owner), "Previous question")
    shown = await slack_team.send(slack_team.request(colleague, back, copied=True), int(time.time()))
    problems = []
    seen = re.search(r"Your answer: [^\"]*", blocks_text(shown or {}))
    if seen:
        problems.append(f"the colleague, pressing the owner's Previous question, was shown {seen.group()!r}")
    await slack_team.send(slack_team.request(colleague, button(first, "1"), copied=True), int(time.time()))
    document = await _everyone_else_answers(slack_team, {owner}, "3")
    if _answer_of(document, 1) or not _answer_of(document, 4):
        problems.append("the colleague's tap on the owner's button replaced the owner's answer 4 with 1")
    no_leak(problems, "holding someone else's buttons is enough:")


@both_engines
async def test_a_replayed_tap_does_not_undo_a_later_change(slack_team: SlackTeam) -> None:
    owner = slack_team.users[0]
    signed_at = int(time.time())
    first = slack_team.request(owner, button(slack_team.message(owner), "5"))
    await slack_team.send(first, signed_at)
    await slack_team.tap(owner, "Previous question")
    await slack_team.tap(owner, "2")
    await slack_team.send(first, signed_at)
    document = await _everyone_else_answers(slack_team, {owner}, "3")
    kept = (_answer_of(document, 2), _answer_of(document, 5)) == (1, 0)
    no_leak(
        [] if kept else [f"distribution after close: {_first_question(document)['distribution']}"],
        "replaying the signed tap that answered 5 undid the later change to 2:",
    )
