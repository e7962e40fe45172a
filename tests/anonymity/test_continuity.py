"""Continuity in the digests: every driver's last known score with its date and its change since the previous shown
measure, even when the latest pulse did not ask it; eNPS over the last measures; a hidden measure is never printed.

Threshold 3, Alpha and Beta 4 people each, one boss, a pulse every four weeks (eNPS is asked monthly). Round 1:
everyone answers. Round 2: only two of Alpha answer, so Alpha's round is hidden (and Beta's, as next-smallest
sibling). Round 3 asks goals and eNPS again, not workload. Alpha's manager then reads workload's score of round 1 with
round 1's date, goals' score of round 3 with its change since round 1 (round 2 skipped), and eNPS of rounds 1 and 3:
never a figure of round 2. The organisation's eNPS history (its digest's chart) skips round 2 too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.i18n import Translator
from handlers.policy import Policy
from handlers.pulse import close_now, pulse_report, send_now
from handlers.pulse.bank_sync import ensure_bank
from scheduler.runs import send_digests
from storage.db import Database
from storage.pulse import rounds as pulse_store
from tests.conftest import both_engines
from tests.handlers.pulse.test_support import answer_question, seed_org
from tests.scheduler.support import config

# Round -> question -> Alpha's answers (Beta always answers 3s and 7s).
ROUNDS: tuple[dict[str, list[int]], ...] = (
    {"enps": [10, 9, 9, 2], "goals-1": [5, 5, 5, 5], "workload-1": [3, 3, 3, 3]},
    {"enps": [0, 0], "goals-1": [1, 1], "workload-1": [1, 1]},
    {"enps": [10, 10, 10, 10], "goals-1": [4, 4, 4, 4]},
)
BETA = {"enps": [7, 7, 7, 7], "goals-1": [3, 3, 3, 3], "workload-1": [3, 3, 3, 3]}


async def _round(database: Database, org: dict[str, list[Any]], policy: Policy, at: datetime, number: int) -> None:
    async with database.transaction() as session:
        for question in await pulse_store.all_questions(session):
            question.active = question.key in ROUNDS[number]
            await pulse_store.save_question(session, question)
        assert len(await send_now(session, policy=policy, now=at)) == 2
    for key, values in ROUNDS[number].items():
        await answer_question(database, org["Alpha"][: len(values)], key, values, policy, at)
        await answer_question(database, org["Beta"], key, BETA[key], policy, at)
    async with database.transaction() as session:
        await close_now(session, now=at + timedelta(hours=1))


@both_engines
async def test_the_digest_keeps_each_drivers_last_shown_score_with_its_date_and_skips_a_hidden_measure(
    database: Database, policy: Policy, now: datetime
) -> None:
    policy = replace(policy, anonymity_threshold=3)
    async with database.transaction() as session:
        org = await seed_org(session, {"Alpha": 4, "Beta": 4})
        await ensure_bank(session)
    dates = [now + timedelta(days=28 * number) for number in range(len(ROUNDS))]
    for number, at in enumerate(dates):
        await _round(database, org, policy, at, number)
    outcomes = await send_digests(
        database, config=config(leaderboard=None), policy=policy, now=dates[-1] + timedelta(days=1), force=True
    )
    (digest,) = [item.card.plain() for item in outcomes if item.card is not None and item.recipient == "Boss"]
    alpha = digest.split("Team Beta")[0] if digest.index("Team Alpha") < digest.index("Team Beta") else digest
    t = Translator(policy.language, ZoneInfo("Europe/Paris"))
    day = [t.day(at.astimezone(t.zone).date()) for at in dates]
    assert f"Workload: 5.0/10 ({day[0]})" in alpha, alpha  # not asked in round 3: round 1's score stays
    assert f"Goals: 7.5/10 ↓ -2.5 ({day[2]})" in alpha, alpha  # since round 1: round 2 was hidden
    assert f"eNPS over the last 2 pulses: +50 ({day[0]}) → +100 ({day[2]})" in alpha, alpha
    assert day[1] not in digest and "0.0/10" not in digest and "-100" not in digest
    async with database.sessions() as session:
        report = await pulse_report(session, policy=policy, now=dates[-1] + timedelta(days=1))
    (enps,) = report.organisation.trends  # the organisation's eNPS: rounds 1 and 3, round 2 hid it
    assert [(measure.at, measure.score) for measure in enps.measures] == [(dates[0], 25.0), (dates[2], 50.0)]
