"""Subtraction across time: a team hidden in one round only as the next-smallest sibling must stay hidden for good.

Threshold 3. Round 1: Alpha has one respondent (hidden), Bravo three (hidden too, or Alpha = organisation − Bravo −
Charlie), Charlie four (shown), the organisation eight (shown). Round 2: Alpha asks one other question and nobody
answers; Bravo and Charlie answer again and Bravo is shown. Any figure of round 2 that compares Bravo with its hidden
round 1 — a change, a trend, a "fell by" in the digest, the organisation's change — gives Bravo's round-1 total, and
organisation − Bravo − Charlie then gives Alpha's lone answer. The attacker below tries every such path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from handlers.policy import Policy
from handlers.pulse import close_now, pulse_report, report_json, send_now
from handlers.pulse.bank_sync import ensure_bank
from handlers.routing import run_command
from scheduler.runs import send_digests
from storage import people as people_store
from storage.db import Database
from storage.pulse import rounds as pulse_store
from tests.anonymity.support import no_leak
from tests.conftest import both_engines
from tests.handlers.pulse.test_support import BOSS, answer_question, context, seed_org
from tests.scheduler.support import config

ASKED = ("goals-1", "workload-1")
TARGET = "workload-1"
LONE = {"goals-1": 2, "workload-1": 1}
BRAVO = {1: [5, 5, 5], 2: [1, 1, 1]}
CHARLIE = [3, 4, 3, 4]


async def _outputs(database: Database, policy: Policy, at: datetime) -> dict[str, Any]:
    """What the admin and the manager read: the JSON export, `/pulse results` and the digests (as they would go)."""
    async with database.transaction() as session:
        document = report_json(await pulse_report(session, policy=policy, now=at), "en")
        boss = await people_store.person_by_email(session, email=BOSS)
        assert boss is not None
        card = (await run_command(context(session, boss, policy, at), "pulse", "results")).card
    outcomes = await send_digests(
        database, config=config(leaderboard=None), policy=policy, now=at, force=True, dry_run=True
    )
    digests = "\n".join(item.card.plain() for item in outcomes if item.card is not None)
    return {"json": document, "chat": card.plain() if card else "", "digest": digests}


def _question(document: dict[str, Any], team: str | None, key: str) -> dict[str, Any] | None:
    groups = [document["organisation"]] if team is None else [g for g in document["teams"] if g["team"] == team]
    found = [q for group in groups for q in group.get("questions", []) if q["id"] == key and not q["hidden"]]
    return found[0] if found else None


def _total(question: dict[str, Any] | None) -> float | None:
    return None if question is None else question["average"] * question["responses"]


def _attacks(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Callable[[], float | None]]:
    """Each path to Bravo's round-1 total for the target question (None when the outputs do not allow it)."""

    def from_team_change() -> float | None:
        now = _question(second["json"], "Bravo", TARGET)
        return None if now is None or now["change"] is None else (now["average"] - now["change"]) * now["responses"]

    def from_organisation_change() -> float | None:
        org, charlie = _question(second["json"], None, TARGET), _total(_question(first["json"], "Charlie", TARGET))
        if org is None or org["change"] is None or charlie is None:
            return None
        # Before, the organisation pooled Bravo's and Charlie's round-1 answers (Alpha did not ask the question again).
        return float(org["average"] - org["change"]) * (len(BRAVO[1]) + len(CHARLIE)) - charlie

    def from_chat() -> float | None:
        found = re.search(
            r"Bravo: (?:(?!\n\w+: \d+ of \d+ answered).)*?My workload is manageable\.\nAnswers: (\d+)\n"
            r"Average: ([\d.]+) out of 5 \(([+-][\d.]+)\)",
            second["chat"],
            re.DOTALL,
        )
        return None if found is None else (float(found[2]) - float(found[3])) * int(found[1])

    def from_digest() -> float | None:
        found = re.search(
            r"Team Bravo\n.*?Workload: ([\d.]+)/10.*?Workload fell by ([\d.]+) points", second["digest"], re.DOTALL
        )
        return None if found is None else (1 + (float(found[1]) + float(found[2])) / 2.5) * len(BRAVO[1])

    return {
        "Bravo's change in `bravo pulse results --json`": from_team_change,
        "the organisation's change in `bravo pulse results --json`": from_organisation_change,
        "Bravo's change in `/pulse results`": from_chat,
        "the manager digest's 'Workload fell by … points'": from_digest,
    }


async def _round(database: Database, org: dict[str, list[Any]], policy: Policy, at: datetime, number: int) -> None:
    async with database.transaction() as session:
        assert len(await send_now(session, policy=policy, now=at)) == 3
    for key in ASKED:
        if number == 1:
            await answer_question(database, org["Alpha"][:1], key, [LONE[key]], policy, at)
        await answer_question(database, org["Bravo"], key, BRAVO[number], policy, at)
        await answer_question(database, org["Charlie"], key, CHARLIE, policy, at)
    async with database.transaction() as session:
        await close_now(session, now=at + timedelta(hours=1))


@both_engines
async def test_a_team_hidden_as_the_next_smallest_sibling_reveals_nothing_later(
    database: Database, policy: Policy, now: datetime
) -> None:
    policy = replace(policy, anonymity_threshold=3)
    async with database.transaction() as session:
        org = await seed_org(session, {"Alpha": 3, "Bravo": 3, "Charlie": 4})
        await ensure_bank(session)
        for question in await pulse_store.all_questions(session):
            question.active = question.key in ASKED
            await pulse_store.save_question(session, question)
    await _round(database, org, policy, now, 1)
    first = await _outputs(database, policy, now + timedelta(hours=2))
    assert _question(first["json"], "Bravo", TARGET) is None, "Bravo must be hidden in round 1 for the scenario"
    async with database.transaction() as session:
        alpha = await people_store.team_by_name(session, name="Alpha")
        plan = await pulse_store.plan_row(session, team_id=alpha.id if alpha else None)
        plan.questions = 1
        session.add(plan)
    await _round(database, org, policy, now + timedelta(days=7), 2)
    second = await _outputs(database, policy, now + timedelta(days=7, hours=2))
    charlie = _question(second["json"], "Charlie", TARGET)
    assert charlie is not None and charlie["responses"] == len(CHARLIE), "round 2 was not read"
    organisation = _total(_question(first["json"], None, TARGET))
    charlie_first = _total(_question(first["json"], "Charlie", TARGET))
    recovered = {}
    for path, attack in _attacks(first, second).items():
        bravo_first = attack()
        if bravo_first is not None and organisation is not None and charlie_first is not None:
            recovered[path] = round(organisation - bravo_first - charlie_first, 2)
    no_leak(
        [f"{path}: {value}" for path, value in recovered.items()],
        f"Alpha's lone answer to {TARGET} was {LONE[TARGET]}; recovered from the outputs through",
    )
