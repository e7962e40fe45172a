"""What a settled soak run must show: each delivery counted exactly once (a kudos per kudos delivery, complete; an
answer per pulse tap, and each tapper counted once as a respondent), and every notification delivered once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text

from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.soak.harness import Outcome, delivered_markers, log, scalar
from tests.soak.mix import KUDOS_KINDS, Mix, kind_of

DRAIN_TIMEOUT = 90.0
FAILED_ANSWERS = ("something went wrong", "nothing was saved")
PENDING = "SELECT count(*) FROM outbox WHERE status = 'pending'"
UNPROCESSED = "SELECT count(*) FROM inbox WHERE status <> 'done'"
NOT_SENT = "SELECT id, kind, last_error FROM outbox WHERE status <> 'sent'"
SLACK_SENT = (
    "SELECT o.id, o.delivered_ref, o.kind, o.channel, p.slack_id FROM outbox o "
    "LEFT JOIN person p ON p.id = o.person_id WHERE o.platform = 'slack'"
)
# The givers' answers to reactions and emoji messages, shown to them alone; a command's answer after "Working on it".
SHOWN_ALONE = "kudos_confirmation"
COMMAND_ANSWER = "command_answer"
KUDOS = (
    "SELECT k.id, k.idempotency_key, "
    "(SELECT count(*) FROM kudos_recipient r WHERE r.kudos_id = k.id), "
    "(SELECT count(*) FROM kudos_value v WHERE v.kudos_id = k.id) FROM kudos k"
)
ANSWERS = "SELECT round_id, question_id, count(*), min(value), max(value), max(version) FROM pulse_answer GROUP BY 1, 2"
RESPONDENTS = "SELECT round_id, count(*) FROM pulse_respondent GROUP BY round_id"


async def rows(url: str, sql: str) -> Sequence[Any]:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return (await connection.execute(text(sql))).all()
    finally:
        await database.dispose()


async def wait_until_zero(url: str, sql: str, what: str) -> None:
    """Wait (bounded) until the count `sql` reads is zero."""
    database = Database(url)
    try:
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while (left := await scalar(database, sql)) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert left == 0, f"{left} {what} {DRAIN_TIMEOUT:.0f}s after the restart"
        log(f"waited {DRAIN_TIMEOUT - deadline + time.monotonic():.1f}s: none {what}")
    finally:
        await database.dispose()


def no_failed_answers(answers: Mapping[int, Outcome]) -> None:
    failed = [index for index, outcome in answers.items() if any(word in outcome.body for word in FAILED_ANSWERS)]
    assert not failed, f"acknowledged with an error: {[(kind_of(i), answers[i].body[:200]) for i in failed[:3]]}"


async def check_kudos(url: str, mix: Mix, first: Mapping[int, Outcome], answers: Mapping[int, Outcome]) -> None:
    """Each kudos delivery answered 2xx (the first time or when resent) is one complete kudos, once the inbox is
    processed: its recipient, its value (all but reactions), its recipient's notification and, on Slack, its post;
    one never answered is counted at most once; nothing else is counted."""
    await wait_until_zero(url, UNPROCESSED, "acknowledged events not processed")
    no_failed_answers(answers)
    kudos = await rows(url, KUDOS)
    keys = {str(key) for (key,) in await rows(url, "SELECT dedupe_key FROM outbox")}
    by_key: dict[str, list[int]] = {}
    for kudos_id, key, _recipients, _values in kudos:
        teams = str(key).startswith("teams:")
        by_key.setdefault(str(key).rsplit(":", 1)[0] + ":" if teams else str(key), []).append(int(kudos_id))
    expected = {mix.kudos_key(index): index for index in answers if kind_of(index) in KUDOS_KINDS}
    doubled = {key: ids for key, ids in by_key.items() if len(ids) > 1}
    assert not doubled, f"kudos doubled: {dict(list(doubled.items())[:5])}"
    lost = sorted(index for key, index in expected.items() if key not in by_key and answers[index].acknowledged)
    answered_first = {index for index, outcome in first.items() if outcome.acknowledged}
    assert not lost, (
        f"acknowledged but lost: {[(i, kind_of(i)) for i in lost[:10]]} (of which answered 2xx the first time: "
        f"{sorted(answered_first & set(lost))[:10]})"
    )
    assert set(by_key) <= set(expected), f"kudos nobody asked for: {sorted(set(by_key) - set(expected))[:5]}"
    kind_by_id = {by_key[key][0]: kind_of(index) for key, index in expected.items() if key in by_key}
    half = [
        (kind_by_id[kudos_id], kudos_id)
        for kudos_id, _key, recipients, values in kudos
        if recipients != 1
        or values != (0 if kind_by_id[kudos_id] == "reaction" else 1)
        or (kind_by_id[kudos_id] != "teams" and f"kudos:{kudos_id}:post:slack" not in keys)
        or not any(key.startswith(f"kudos:{kudos_id}:dm:") for key in keys)
    ]
    assert not half, f"half-written kudos: {half[:10]}"


async def check_taps(url: str, mix: Mix, answers: Mapping[int, Outcome]) -> None:
    """Each tap answered 2xx is one answer to its question, each never answered at most one, every answer written
    once (version 1); each person who tapped is one respondent of their round. The stored answers are keyed, so
    they are counted per question and per round, not per person."""
    taps = {index: mix.tap(index) for index in answers if kind_of(index) == "tap"}
    acknowledged = [tap for index, tap in taps.items() if answers[index].acknowledged]
    at_least = Counter((tap.round_id, tap.question_id) for tap in acknowledged)
    at_most = Counter((tap.round_id, tap.question_id) for tap in taps.values())
    found = {(int(r), int(q)): (int(n), low, high, version) for r, q, n, low, high, version in await rows(url, ANSWERS)}
    wrong = {
        key: (found.get(key, (0,))[0], at_least[key], at_most[key])
        for key in set(at_most) | set(found)
        if not at_least[key] <= found.get(key, (0,))[0] <= at_most[key]
    }
    assert not wrong, f"answers per (round, question) outside (acknowledged, sent) taps: {sorted(wrong.items())[:8]}"
    rewritten = {key: value for key, value in found.items() if value[1:] != (1, 1, 1)}
    assert not rewritten, f"answers changed or written twice (count, min, max value, max version): {rewritten}"
    respondents = {int(r): int(n) for r, n in await rows(url, RESPONDENTS)}
    low = Counter(round_id for round_id, _person in {(tap.round_id, tap.person) for tap in acknowledged})
    high = Counter(round_id for round_id, _person in {(tap.round_id, tap.person) for tap in taps.values()})
    wrong_rounds = {
        round_id: (respondents.get(round_id, 0), low[round_id], high[round_id])
        for round_id in set(high) | set(respondents)
        if not low[round_id] <= respondents.get(round_id, 0) <= high[round_id]
    }
    assert not wrong_rounds, f"respondents per round outside (acknowledged, sent) tappers: {wrong_rounds}"


async def check_notifications(url: str, api: FakeSlackApi) -> None:
    """Once the restarted worker drains, every outbox row was sent; each Slack message reached Slack exactly once,
    as the row records. Answers shown to one person alone (a giver's confirmation, `chat.postEphemeral`) and a
    command's late answer (at its `response_url`) leave nothing Slack can be asked about after a crash: each was
    shown at least once. Teams gives no way to look a message up: its deliveries are at least once."""
    await wait_until_zero(url, PENDING, "notifications not delivered")
    failed = await rows(url, NOT_SENT)
    assert not failed, f"notifications given up: {failed[:5]}"
    sent = await rows(url, SLACK_SENT)
    check_shown_alone(api, [(str(channel), str(user)) for _, _, kind, channel, user in sent if kind == SHOWN_ALONE])
    answers = sum(1 for _, _, kind, _, _ in sent if kind == COMMAND_ANSWER)
    assert len(api.calls_to("response_url")) >= answers, "late command answers marked sent but never posted"
    refs = {int(row_id): str(ref) for row_id, ref, kind, _, _ in sent if kind not in (SHOWN_ALONE, COMMAND_ANSWER)}
    markers = delivered_markers(api)
    doubled = {row_id: found for row_id, found in markers.items() if len(found) > 1}
    assert not doubled, f"notifications delivered twice: {dict(list(doubled.items())[:5])}"
    missing = sorted(set(refs) - set(markers))
    assert not missing, f"marked sent but never reached Slack: {missing[:10]}"
    strays = sorted(set(markers) - set(refs))
    assert not strays, f"messages for rows that do not exist: {strays[:10]}"
    wrong = {row_id: (ref, markers[row_id][0]) for row_id, ref in refs.items() if markers[row_id][0] != ref}
    assert not wrong, f"rows recording another message than the one delivered: {dict(list(wrong.items())[:5])}"
    unmarked = sum(len(messages) for messages in api.workspace.history.values()) - len(refs)
    assert unmarked == 0, f"{unmarked} messages without an outbox id"


def check_shown_alone(api: FakeSlackApi, sent: list[tuple[str, str]]) -> None:
    """Every answer marked sent was shown to its giver where they gave (at least as often as sent there)."""
    shown = Counter((call.args["channel"], call.args["user"]) for call in api.calls_to("chat.postEphemeral"))
    missing = [pair for pair, count in Counter(sent).items() if shown[pair] < count]
    assert not missing, f"answers marked sent but never shown: {missing[:10]}"
