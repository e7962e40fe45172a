"""Load and crash: the six kinds of deliveries that count (`/kudos` commands, `:clap:` reactions and emoji messages,
pulse button taps, kudos form submissions, Teams kudos) at concurrency 50, Bravo SIGKILLed at a random moment and
restarted; then what was not answered 2xx is sent again as the platforms do (Slack: the same delivery with
`X-Slack-Retry-Num` 1, 2, …; Teams: the same activity id), until every delivery is answered. Once settled, each
delivery must be counted exactly once, complete, and every notification delivered once.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from bench.org import Scale, load_organisation
from storage.db import Database
from storage.pulse import rounds as pulse_store
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.soak.checks import check_kudos, check_notifications, check_taps, rows
from tests.soak.harness import (
    Child,
    Outcome,
    Request,
    Server,
    environment,
    fire,
    fresh_database,
    log,
    slow_acknowledgements,
)
from tests.soak.mix import Mix, Pulse, described, roster, slack_user, teams_name

PEOPLE = 200
TEAM_SIZE = 10
CONCURRENCY = 50
SLOW_ACK_SECONDS = 0.02
# Resends go at a lower concurrency (Slack spaces its retries out): a machine too busy to answer 50 at a time within
# Slack's 3 s would otherwise never catch up.
RESEND_CONCURRENCY = 10
RESEND_TIMEOUT = 240.0
ROUNDS = "SELECT person_id, round_id FROM pulse_participation"
QUESTIONS = "SELECT round_id, question_id FROM pulse_round_question ORDER BY round_id, position"


@dataclass(frozen=True)
class KudosCrash:
    engine: str
    requests: int
    seed: int
    killed_after: int
    resent: int
    seconds: float


async def seed_directory(url: str, *, pulses: bool = False, people: int = PEOPLE) -> None:
    """People with Slack ids in teams (the benchmark's organisation); scheduled pulses off for the run, after
    `pulses` made each team's pulse be sent now (by `bravo pulse send --now`, see `send_pulses`)."""
    database = Database(url)
    try:
        await load_organisation(database, Scale(people=people, teams=people // TEAM_SIZE, kudos=0, pulse_answers=0))
        async with database.transaction() as session:
            plan = await pulse_store.plan_row(session, team_id=None)
            plan.enabled = pulses
            session.add(plan)
    finally:
        await database.dispose()


async def send_pulses(
    url: str, api: FakeSlackApi, folder: Path, people: int
) -> tuple[dict[int, Pulse], dict[str, str]]:
    """`bravo pulse send --now` (each person's pulse DM'd), then the plan off again; where each person's pulse is:
    their round and its questions, and the timestamp of their DM."""
    sent = Child(["pulse", "send", "--now"], environment(url, api), folder / "pulse-send.log")
    sent.start()
    assert await sent.finish() == 0, sent.output()
    database = Database(url)
    try:
        async with database.transaction() as session:
            (await pulse_store.plan_row(session, team_id=None)).enabled = False
    finally:
        await database.dispose()
    questions: dict[int, list[int]] = {}
    for round_id, question_id in await rows(url, QUESTIONS):
        questions.setdefault(int(round_id), []).append(int(question_id))
    pulses = {
        int(person): Pulse(int(round_id), tuple(questions[int(round_id)]))
        for person, round_id in await rows(url, ROUNDS)
    }
    dm_ts = {}
    for person in pulses:
        channel = "D" + slack_user(person)
        messages = api.workspace.history.get(channel, [])
        assert len(messages) == 1, f"{len(messages)} pulse DMs in {channel}"
        dm_ts[slack_user(person)] = str(messages[0][1]["ts"])
    assert len(pulses) == people, f"{len(pulses)} people asked, expected {people}"
    return pulses, dm_ts


async def install_in_teams(server: Server, connector: FakeBotConnector, people: set[int]) -> None:
    """Bravo installed in the personal scope of the people the Teams kudos go between, as an admin installs it for
    them: Bravo links each one (the roster's email) and keeps their 1:1 chat, so a kudos DM needs no new conversation
    (which Teams lets a bot create only a few times a second)."""

    def install(person: int, _attempt: int) -> Request:
        account = ta.teams_user(teams_name(person))
        activity = ta.install_update(service_url=connector.service_url, scope="personal", from_user=account)
        return server.teams_url, json.dumps(activity).encode(), {"Content-Type": "application/json"}

    personal = await fire(sorted(people), install, concurrency=CONCURRENCY)
    failed = [(person, outcome) for person, outcome in personal.items() if outcome.status != 201]
    assert not failed, f"personal installs refused: {failed[:5]}"


async def resend_unanswered(mix: Mix, answers: dict[int, Outcome], server: Server) -> int:
    """The platforms' rule: only what was not answered 2xx is sent again, each resend numbered, until all are
    answered or `RESEND_TIMEOUT` has passed; how many deliveries were resent.

    A machine too busy to answer within Slack's 3 s (Bolt then answers 404 and finishes the work afterwards) can leave
    some never answered, as Slack gives up after its retries: those must be counted at most once (the checks), and
    their number is logged."""
    unanswered = sorted(index for index, outcome in answers.items() if not outcome.acknowledged)
    resent, attempt = len(unanswered), 0
    deadline = time.monotonic() + RESEND_TIMEOUT
    while unanswered and time.monotonic() < deadline:
        assert server.process is not None and server.process.poll() is None, "the restarted server died"
        attempt += 1
        again = await fire(unanswered, mix.request, concurrency=RESEND_CONCURRENCY, attempt=attempt)
        answers.update(again)
        unanswered = sorted(index for index, outcome in again.items() if not outcome.acknowledged)
    statuses = sorted({str(answers[index].status) for index in unanswered})
    log(f"{attempt} rounds of resends; {len(unanswered)} never answered 2xx ({', '.join(statuses) or 'none'})")
    return resent


async def kudos_crash(engine: str, *, requests: int, seed: int, folder: Path, people: int = PEOPLE) -> KudosCrash:
    """One run; raises AssertionError (naming the seed) when a delivery is lost or doubled."""
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    kill_after = random.Random(seed).randint(max(1, requests // 10), max(1, requests * 9 // 10))
    log(f"{engine}: {described(requests)}, SIGKILL after {kill_after} answers (BRAVO_SOAK_SEED={seed})")
    async with (
        fresh_database(engine, folder) as url,
        FakeSlackApi(threaded=True) as api,
        FakeBotConnector(threaded=True) as connector,
    ):
        slow_acknowledgements(api, SLOW_ACK_SECONDS)
        connector.members = roster(people)
        await seed_directory(url, pulses=True, people=people)
        pulses, dm_ts = await send_pulses(url, api, folder, people)
        server = Server(["run"], {}, folder / f"bravo-{engine}-{seed}.log")
        server.environment = environment(url, api, port=server.port, TEAMS_ALLOW_UNAUTHENTICATED="true")
        mix = Mix(f"soak{seed}", people, server.url, server.teams_url, connector.service_url, pulses, dm_ts)
        mix.response_url = f"{api.base_url}response_url"
        phases: list[str] = []
        clock = [time.monotonic()]

        def phase(name: str) -> None:
            now = time.monotonic()
            phases.append(f"{name} {now - clock[0]:.1f}s")
            clock[0] = now

        try:
            await server.start_healthy()
            await install_in_teams(server, connector, mix.teams_people(requests))
            phase("setup")

            def maybe_kill(done: int) -> None:
                server.send_kill() if done == kill_after else None

            first = await fire(list(range(requests)), mix.request, concurrency=CONCURRENCY, after_each=maybe_kill)
            server.kill()
            phase("load")
            await server.start_healthy()
            phase("restart")
            answers = dict(first)
            resent = await resend_unanswered(mix, answers, server)
            phase("resends")
            await check_kudos(url, mix, first, answers)
            await check_taps(url, mix, answers)
            await check_notifications(url, api)
            phase("drain and checks")
        except AssertionError as error:
            raise AssertionError(f"{error}\n(replay: BRAVO_SOAK_SEED={seed})\n{server.output()}") from None
        finally:
            server.stop()
    seconds = time.monotonic() - started
    checked = len(api.calls_to("conversations.history"))
    log(
        f"{engine}: killed after {kill_after} answers, {resent} deliveries resent, {checked} notifications in doubt "
        f"checked ({server.recovered()} already posted): all exactly once in {seconds:.1f}s ({', '.join(phases)})"
    )
    return KudosCrash(engine, requests, seed, kill_after, resent, seconds)
