"""A kill in the middle of a fan-out: `bravo pulse send --now` DMing every person, and the scheduler of `bravo run`
sending every manager their digest. After the re-run (or restart) each person has exactly one pulse message and each
manager exactly one digest, including the messages Slack had posted when the process died before recording them.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.org import Scale, load_organisation
from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.soak.harness import (
    Child,
    Server,
    environment,
    fresh_database,
    log,
    scalar,
    slow_acknowledgements,
    wait_for,
)

SLOW_ACK_SECONDS = 0.05
DRAIN_TIMEOUT = 60.0
MEMBERS = "SELECT slack_id FROM person WHERE team_id IS NOT NULL AND slack_id IS NOT NULL"
MANAGERS = "SELECT p.slack_id FROM person p WHERE p.id IN (SELECT manager_id FROM team) AND p.slack_id IS NOT NULL"
ZONES = "SELECT DISTINCT coalesce(timezone, 'UTC') FROM person WHERE id IN (SELECT manager_id FROM team)"
QUERIES = (MEMBERS, MANAGERS, ZONES)


def direct_messages(api: FakeSlackApi) -> dict[str, int]:
    """Messages Slack holds per direct message channel."""
    return {channel: len(messages) for channel, messages in list(api.workspace.history.items()) if channel[0] == "D"}


async def organisation(url: str, people: int, teams: int) -> tuple[list[str], list[str], list[str]]:
    """The benchmark's organisation; the Slack ids of the team members and of the managers, the managers' zones."""
    database = Database(url)
    try:
        await load_organisation(database, Scale(people=people, teams=teams, kudos=0, pulse_answers=0))
        async with database.engine.connect() as connection:
            found = [[str(value) for value in (await connection.execute(text(sql))).scalars().all()] for sql in QUERIES]
    finally:
        await database.dispose()
    return found[0], found[1], found[2]


async def drained(url: str) -> None:
    """Wait until no delivery is pending; every row must then be sent."""
    database = Database(url)
    try:
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while await scalar(database, "SELECT count(*) FROM outbox WHERE status = 'pending'"):
            assert time.monotonic() < deadline, f"deliveries still pending {DRAIN_TIMEOUT:.0f}s after the restart"
            await asyncio.sleep(0.1)
        failed = await scalar(database, "SELECT count(*) FROM outbox WHERE status <> 'sent'")
        assert failed == 0, f"{failed} deliveries given up"
    finally:
        await database.dispose()


def exactly_one_each(api: FakeSlackApi, people: list[str], what: str) -> None:
    dms = direct_messages(api)
    wrong = {person: dms.get("D" + person, 0) for person in people if dms.get("D" + person, 0) != 1}
    assert not wrong, f"{what} per person, expected exactly one: {wrong}"
    strays = set(dms) - {"D" + person for person in people}
    assert not strays, f"{what} sent to people who should get none: {sorted(strays)[:10]}"


async def pulse_crash(engine: str, *, seed: int, folder: Path, people: int = 16, teams: int = 2) -> float:
    """Kill `bravo pulse send --now` after a random number of DMs, run it again, count each person's DMs."""
    started = time.monotonic()
    kill_after = random.Random(seed).randint(1, people - 3)  # at least 0.3s of the fan-out left (10/s)
    log(f"{engine}: pulse to {people} people, SIGKILL after {kill_after} DMs (BRAVO_SOAK_SEED={seed})")
    async with fresh_database(engine, folder) as url, FakeSlackApi(threaded=True) as api:
        slow_acknowledgements(api, SLOW_ACK_SECONDS)
        members, _managers, _zones = await organisation(url, people, teams)
        assert len(members) == people
        settings = environment(url, api)
        output = folder / f"pulse-{engine}-{seed}.log"
        first = Child(["pulse", "send", "--now"], settings, output)
        second = Child(["pulse", "send", "--now"], settings, output)
        try:
            first.start()
            await wait_for(
                lambda: sum(direct_messages(api).values()) >= kill_after,
                timeout=60,
                what=lambda: f"{kill_after} pulse DMs, got {sum(direct_messages(api).values())}",
                watch=first,
            )
            first.kill()
            at_kill = sum(direct_messages(api).values())
            assert at_kill < people, f"the pulse was fully sent ({at_kill}) before the kill: no crash was tested"
            second.start()
            assert await second.finish() == 0
            await drained(url)
            exactly_one_each(api, members, "pulse DMs")
            database = Database(url)
            try:
                rounds = await scalar(database, "SELECT count(*) FROM pulse_round")
            finally:
                await database.dispose()
            assert rounds == teams, f"{rounds} pulse rounds for {teams} teams"
        except AssertionError as error:
            raise AssertionError(f"{error}\n(replay: BRAVO_SOAK_SEED={seed})\n{first.output()}") from None
        finally:
            first.kill()
            second.kill()
    seconds = time.monotonic() - started
    checked = len(api.calls_to("conversations.history"))
    log(
        f"{engine}: pulse killed after {at_kill} DMs; {checked} in doubt checked, {second.recovered()} found already "
        f"posted: one DM each ({seconds:.1f}s)"
    )
    return seconds


def digest_schedule(now: datetime, zones: list[str]) -> str:
    """A daily manager digest whose last fire time is over and whose next one is as far away as possible in every
    manager's time zone, so the restarted scheduler is still in the same period."""
    minutes = {now.astimezone(ZoneInfo(zone)).minute for zone in zones} or {now.minute}
    best = max(range(60), key=lambda candidate: min((candidate - minute) % 60 for minute in minutes))
    return f"daily 00:{best:02d}"


async def digest_crash(engine: str, *, seed: int, folder: Path, teams: int = 12) -> float:
    """Kill `bravo run` while its scheduler sends every manager their digest; restart it; count each one's DMs."""
    started = time.monotonic()
    kill_after = random.Random(seed).randint(1, teams - 3)
    log(f"{engine}: digests to {teams} managers, SIGKILL after {kill_after} (BRAVO_SOAK_SEED={seed})")
    async with fresh_database(engine, folder) as url, FakeSlackApi(threaded=True) as api:
        slow_acknowledgements(api, SLOW_ACK_SECONDS)
        _members, managers, zones = await organisation(url, teams * 3, teams)
        assert len(managers) == teams
        server = Server(["run"], {}, folder / f"digest-{engine}-{seed}.log")
        server.environment = environment(
            url,
            api,
            port=server.port,
            BRAVO_MANAGER_DIGEST_CRON=digest_schedule(datetime.now(UTC), zones),
            BRAVO_OUTBOX_RATE="10",
        )
        try:
            await server.start_healthy()
            await wait_for(
                lambda: sum(direct_messages(api).values()) >= kill_after,
                timeout=60,
                what=lambda: f"{kill_after} digests, got {sum(direct_messages(api).values())}",
                watch=server,
            )
            server.kill()
            at_kill = sum(direct_messages(api).values())
            assert at_kill < teams, f"every digest went out ({at_kill}) before the kill: no crash was tested"
            await server.start_healthy()
            await drained(url)
            exactly_one_each(api, managers, "manager digests")
            database = Database(url)
            try:
                async with database.engine.connect() as connection:
                    claims = (
                        await connection.execute(text("SELECT count(*), count(DISTINCT target) FROM scheduled_post"))
                    ).one()
            finally:
                await database.dispose()
            assert tuple(claims) == (teams, teams), f"claims (all, distinct managers): {tuple(claims)}"
        except AssertionError as error:
            raise AssertionError(f"{error}\n(replay: BRAVO_SOAK_SEED={seed})\n{server.output()}") from None
        finally:
            server.stop()
    seconds = time.monotonic() - started
    checked = len(api.calls_to("conversations.history"))
    log(
        f"{engine}: digests killed after {at_kill}; {checked} in doubt checked, {server.recovered()} found already "
        f"posted: one each ({seconds:.1f}s)"
    )
    return seconds
