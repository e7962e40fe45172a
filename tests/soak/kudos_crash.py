"""Load and crash: signed `/kudos` requests and `:clap:` reactions (Events API deliveries, one in four) at
concurrency 50, Bravo SIGKILLed at a random moment and restarted, the unanswered requests sent again as Slack
retries; then nothing acknowledged may be lost, and nothing doubled or half-written.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from bench.ingest import kudos_request
from bench.org import Scale, load_organisation
from bench.processes import SIGNING_SECRET
from storage.db import Database
from storage.pulse import rounds as pulse_store
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import event_callback, reaction_added_event, sign
from tests.soak.harness import (
    Outcome,
    Server,
    delivered_markers,
    environment,
    fire,
    fresh_database,
    log,
    scalar,
    slow_acknowledgements,
)

PEOPLE = 200
TEAMS = 20
CONCURRENCY = 50
SLOW_ACK_SECONDS = 0.02
MAX_RETRY_ROUNDS = 3
DRAIN_TIMEOUT = 90.0
FAILED_ANSWER = "something went wrong"
PENDING = "SELECT count(*) FROM outbox WHERE status = 'pending'"
UNPROCESSED = "SELECT count(*) FROM inbox WHERE status <> 'done'"
# One request in this many is a reaction (an Events API delivery, processed from the inbox after its 200).
REACTION_EVERY = 4
CHANNEL = "C_GENERAL"
NOT_SENT = "SELECT id, kind, last_error FROM outbox WHERE status <> 'sent'"
SENT = (
    "SELECT o.id, o.delivered_ref, o.kind, o.channel, p.slack_id FROM outbox o LEFT JOIN person p ON p.id = o.person_id"
)
# The givers' answers, shown to them alone (chat.postEphemeral): Slack keeps no trace of them to look for after a
# crash, so one in doubt is shown again; each must have been shown at least once.
SHOWN_ALONE = "kudos_confirmation"


@dataclass(frozen=True)
class KudosCrash:
    engine: str
    requests: int
    seed: int
    killed_after: int
    retried: int
    seconds: float


async def seed_directory(url: str) -> None:
    """People with Slack ids in teams (the benchmark's organisation), and scheduled pulses off for the run."""
    database = Database(url)
    try:
        await load_organisation(database, Scale(people=PEOPLE, teams=TEAMS, kudos=0, pulse_answers=0))
        async with database.transaction() as session:
            plan = await pulse_store.plan_row(session, team_id=None)
            plan.enabled = False
            session.add(plan)
    finally:
        await database.dispose()


async def kudos_crash(engine: str, *, requests: int, seed: int, folder: Path) -> KudosCrash:
    """One run; raises AssertionError (naming the seed) when a kudos or a notification is lost or doubled."""
    started = time.monotonic()
    kill_after = random.Random(seed).randint(max(1, requests // 10), max(1, requests * 9 // 10))
    run = f"soak{seed}"
    log(f"{engine}: {described(requests)}, SIGKILL after {kill_after} answers (BRAVO_SOAK_SEED={seed})")

    def build(index: int) -> tuple[bytes, dict[str, str]]:
        return reaction_request(index, run) if is_reaction(index) else kudos_request(index, PEOPLE, run)

    async with fresh_database(engine, folder) as url, FakeSlackApi(threaded=True) as api:
        slow_acknowledgements(api, SLOW_ACK_SECONDS)
        await seed_directory(url)
        server = Server(["run"], {}, folder / f"bravo-{engine}-{seed}.log")
        server.environment = environment(url, api, port=server.port)
        phases: list[str] = []
        clock = [time.monotonic()]

        def phase(name: str) -> None:
            now = time.monotonic()
            phases.append(f"{name} {now - clock[0]:.1f}s")
            clock[0] = now

        try:
            await server.start_healthy()
            phase("start")

            def maybe_kill(done: int) -> None:
                server.send_kill() if done == kill_after else None

            first = await fire(server.url, list(range(requests)), build, concurrency=CONCURRENCY, after_each=maybe_kill)
            server.kill()
            phase("load")
            await server.start_healthy()
            phase("restart")
            answers = dict(first)
            unanswered = sorted(index for index, outcome in first.items() if not outcome.acknowledged)
            retried = len(unanswered)
            for _round in range(MAX_RETRY_ROUNDS):
                if not unanswered:
                    break
                again = await fire(server.url, unanswered, build, concurrency=CONCURRENCY, retry=True)
                answers.update(again)
                unanswered = sorted(index for index, outcome in again.items() if not outcome.acknowledged)
            assert not unanswered, f"never acknowledged after retries: {unanswered[:10]}"
            phase("retries")
            await check_kudos(url, run, first, answers)
            await check_notifications(url, api)
            phase("drain and checks")
        except AssertionError as error:
            raise AssertionError(f"{error}\n(replay: BRAVO_SOAK_SEED={seed})\n{server.output()}") from None
        finally:
            server.stop()
    seconds = time.monotonic() - started
    checked = len(api.calls_to("conversations.history"))
    log(
        f"{engine}: killed after {kill_after} answers, {retried} requests retried, {checked} deliveries in doubt "
        f"checked ({server.recovered()} already posted): all exactly once in {seconds:.1f}s ({', '.join(phases)})"
    )
    return KudosCrash(engine, requests, seed, kill_after, retried, seconds)


def described(requests: int) -> str:
    return f"{requests} requests ({sum(1 for index in range(requests) if is_reaction(index))} reactions)"


def is_reaction(index: int) -> bool:
    return index % REACTION_EVERY == 1


def _people(index: int) -> tuple[str, str]:
    """(giver, recipient) Slack ids, as `bench.ingest.kudos_request` picks them."""
    giver = index % PEOPLE + 1
    recipient = (index * 7 + 3) % PEOPLE + 1
    if recipient == giver:
        recipient = recipient % PEOPLE + 1
    return f"U{giver:07d}", f"U{recipient:07d}"


def _message_ts(index: int, run: str) -> str:
    return f"{1700000000 + int(run.removeprefix('soak')) % 100000}.{index:06d}"


def reaction_request(index: int, run: str) -> tuple[bytes, dict[str, str]]:
    """A signed `reaction_added` delivery: the giver claps the recipient's message (one message per request)."""
    giver, recipient = _people(index)
    event = reaction_added_event(
        "clap", user=giver, channel=CHANNEL, item_ts=_message_ts(index, run), item_user=recipient
    )
    body, _content_type = event_callback(event, event_id=f"Ev{run}x{index}")
    return body.encode(), {"Content-Type": "application/json", **sign(body, SIGNING_SECRET)}


def idempotency_key(index: int, run: str) -> str:
    if is_reaction(index):
        return f"slack:reaction:{CHANNEL}:{_message_ts(index, run)}:{_people(index)[0]}:clap"
    return f"slack:command:{run}.{index}.bench"


async def wait_processed(url: str) -> None:
    """The acknowledged reactions are processed from the inbox after the restart; wait until none is left."""
    database = Database(url)
    try:
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while (left := await scalar(database, UNPROCESSED)) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert left == 0, f"{left} acknowledged events not processed {DRAIN_TIMEOUT:.0f}s after the restart"
    finally:
        await database.dispose()


async def check_kudos(url: str, run: str, first: dict[int, Outcome], answers: dict[int, Outcome]) -> None:
    """Each acknowledged request is one complete kudos (once the inbox is processed): its recipient, its value (for
    commands), its post and its message."""
    await wait_processed(url)
    failed = [index for index, outcome in answers.items() if FAILED_ANSWER in outcome.body]
    assert not failed, f"acknowledged with an error: {[answers[i].body for i in failed[:3]]}"
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            kudos = (
                await connection.execute(
                    text(
                        "SELECT k.id, k.idempotency_key, "
                        "(SELECT count(*) FROM kudos_recipient r WHERE r.kudos_id = k.id), "
                        "(SELECT count(*) FROM kudos_value v WHERE v.kudos_id = k.id) FROM kudos k"
                    )
                )
            ).all()
            keys = {str(key) for (key,) in (await connection.execute(text("SELECT dedupe_key FROM outbox"))).all()}
    finally:
        await database.dispose()
    by_key: dict[str, list[int]] = {}
    for kudos_id, key, _recipients, _values in kudos:
        by_key.setdefault(str(key), []).append(int(kudos_id))
    expected = {idempotency_key(index, run): index for index in answers}
    reactions = {by_key[key][0] for key, index in expected.items() if is_reaction(index) and key in by_key}
    doubled = {key: ids for key, ids in by_key.items() if len(ids) > 1}
    assert not doubled, f"kudos doubled: {doubled}"
    lost = sorted(index for key, index in expected.items() if key not in by_key)
    first_acknowledged = {index for index, outcome in first.items() if outcome.acknowledged}
    assert not lost, (
        f"acknowledged but lost: {lost[:10]} (of which answered 2xx first time: {first_acknowledged & set(lost)})"
    )
    assert set(by_key) == set(expected), f"kudos nobody asked for: {set(by_key) - set(expected)}"
    half = [
        kudos_id
        for kudos_id, _key, recipients, values in kudos
        if recipients != 1
        or values != (0 if kudos_id in reactions else 1)
        or f"kudos:{kudos_id}:post:slack" not in keys
        or not any(key.startswith(f"kudos:{kudos_id}:dm:") for key in keys)
    ]
    assert not half, f"half-written kudos: {half[:10]}"


async def check_notifications(url: str, api: FakeSlackApi) -> None:
    """Once the restarted worker drains, every outbox row reached Slack exactly once, as the row records."""
    database = Database(url)
    try:
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while (left := await scalar(database, PENDING)) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert left == 0, f"{left} notifications not delivered {DRAIN_TIMEOUT:.0f}s after the restart"
        async with database.engine.connect() as connection:
            failed = (await connection.execute(text(NOT_SENT))).all()
            rows = (await connection.execute(text(SENT))).all()
        assert not failed, f"notifications given up: {failed[:5]}"
    finally:
        await database.dispose()
    check_shown_alone(api, [(str(channel), str(user)) for _, _, kind, channel, user in rows if kind == SHOWN_ALONE])
    markers = delivered_markers(api)
    refs = {int(row_id): str(ref) for row_id, ref, kind, _, _ in rows if kind != SHOWN_ALONE}
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
