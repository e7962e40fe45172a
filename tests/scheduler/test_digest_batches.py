"""`digest send --now` commits claims and their outbox rows in batches, and stays exactly once across a crash
between two batches followed by a second run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from handlers.policy import Policy
from scheduler import runs
from storage import schedule as schedule_store
from storage.db import Database
from storage.models import OutboxMessage, ScheduledPost
from storage.models.schedule import QUEUED, SKIPPED
from tests.conftest import both_engines
from tests.scheduler.support import config, seed_database

NOW = datetime(2026, 3, 30, 13, 0, tzinfo=UTC)


class Crash(Exception):
    """The process dying in the middle of a batch: its transaction never commits."""


@both_engines
async def test_a_crash_between_batches_then_a_second_run_sends_each_digest_once(
    database: Database, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_database(database, slack=True, channels=True)
    settings = config(leaderboard=None, platforms=("slack",))
    assert runs.DIGEST_BATCH == 200  # as docs/reliability.md says
    monkeypatch.setattr(runs, "DIGEST_BATCH", 2)
    original, calls = schedule_store.claim_many, {"count": 0}

    async def dies_in_the_second_batch(*args: Any, **kwargs: Any) -> set[tuple[str, str, str]]:
        calls["count"] += 1
        taken = await original(*args, **kwargs)
        if calls["count"] == 2:
            raise Crash  # after the batch's claims were written, before its outbox rows and its commit
        return taken

    monkeypatch.setattr(schedule_store, "claim_many", dies_in_the_second_batch)
    with pytest.raises(Crash):
        await runs.send_digests(database, config=settings, policy=policy, now=NOW, force=True, owner="first")
    async with database.sessions() as session:
        first = (await session.exec(select(ScheduledPost))).all()
    assert len(first) == 2  # the first batch committed whole, the second left nothing behind

    monkeypatch.setattr(schedule_store, "claim_many", original)
    second = await runs.send_digests(database, config=settings, policy=policy, now=NOW, force=True, owner="second")
    assert second and {outcome.status for outcome in second} <= {QUEUED, SKIPPED}
    async with database.sessions() as session:
        claims = (await session.exec(select(ScheduledPost))).all()
        rows = (await session.exec(select(OutboxMessage))).all()
    keys = {(claim.kind, claim.target, claim.period) for claim in claims}
    assert len(keys) == len(claims) == len(first) + len(second)
    for claim in claims:
        prefix = f"{claim.kind}:{claim.target}:{claim.period}"
        queued_rows = [row for row in rows if (row.dedupe_key or "").startswith(prefix)]
        assert len(queued_rows) == claim.deliveries, prefix


@both_engines
async def test_a_batch_inserts_its_claims_in_one_statement_and_its_outbox_rows_in_another(
    database: Database, policy: Policy
) -> None:
    await seed_database(database, slack=True, channels=True)
    settings = config(leaderboard=None, platforms=("slack",))
    inserts: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(statement.split("(")[0].split()[-1])

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        outcomes = await runs.send_digests(database, config=settings, policy=policy, now=NOW, force=True)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    assert len(outcomes) > 2 and any(outcome.deliveries for outcome in outcomes)
    assert sorted(inserts) == ["outbox", "scheduled_post"]
