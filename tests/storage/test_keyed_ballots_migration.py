"""Migration 0009 moves a database of the old design (tokens in `pulse_ballot` and in outbox payloads, answers under
unkeyed hashes, an "answered" flag per person) to keyed ballots without leaving any old token or hash behind: not in
any row, not in the SQLite file or its WAL, not in PostgreSQL's pages. Open pulses are closed, participation stays."""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.migrate import current_revision, upgrade
from tests.anonymity.support import Reader, bytes_holding, secrets_in, token_secrets
from tests.conftest import ENGINES
from tests.databases import POSTGRES_URL, create_postgres_database, drop_postgres_database, postgres_problem

OLD = "0008_one_head"
USED, UNUSED = "UsedTokenQx7K2M4AbCdEf", "UnusedTokenQx7K2M4GhIj"
NOW = datetime.now(UTC)


@pytest.fixture(params=ENGINES)
async def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database migrated only to 0008 (the design before keyed ballots), on each engine."""
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
        await upgrade(database, OLD)
        yield database
        await database.dispose()
        return
    problem = await postgres_problem()
    if problem:
        pytest.skip(f"{problem} ({POSTGRES_URL})")
    url = await create_postgres_database(OLD)
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()
        await drop_postgres_database(url)


def _card(token: str) -> str:
    buttons = [{"label": "4", "action": "pulse.answer", "value": f"{token}@0:4", "style": "default"}]
    buttons.append({"label": "Thanks", "action": "kudos.thanks", "value": "7", "style": "default"})
    return json.dumps({"title": "Pulse check: question 1 of 1", "choices": buttons})


STATEMENTS = [
    "INSERT INTO team (id, name, created_at) VALUES (1, 'Ops', :now)",
    "INSERT INTO person (id, display_name, is_admin, is_bot, active, created_at, updated_at, team_id) VALUES "
    "(1, 'Ann', false, false, true, :now, :now, 1), (2, 'Ben', false, false, true, :now, :now, 1)",
    "INSERT INTO pulse_question (id, key, driver, scale, text_en, text_fr, builtin, active) "
    "VALUES (1, 'q', 'tools', 'agree5', 'Q?', 'Q ?', true, true)",
    "INSERT INTO pulse_round (id, team_id, period, opened_at, closes_at, remind_at, reminded, closed) "
    "VALUES (1, 1, '2026-11-18', :now, :later, :later, false, false)",
    "INSERT INTO pulse_round_question (round_id, question_id, position) VALUES (1, 1, 0)",
    "INSERT INTO pulse_participation (round_id, person_id, answered) VALUES (1, 1, true), (1, 2, false)",
    "INSERT INTO pulse_ballot (token, round_id, question_id, person_id) VALUES (:unused, 1, 1, 2)",
    "INSERT INTO pulse_answer (id, round_id, question_id, ballot_hash, value) VALUES ('a1', 1, 1, :answer, 4)",
    "INSERT INTO pulse_comment (id, round_id, question_id, ballot_hash, text) VALUES ('c1', 1, 1, :comment, 'Hi')",
    "INSERT INTO outbox (kind, platform, person_id, payload, status, attempts, next_attempt_at, in_doubt, "
    "created_at) VALUES ('pulse.question', 'slack', 1, :sent, 'sent', 1, :now, false, :now), "
    "('pulse.question', 'slack', 2, :pending, 'pending', 0, :now, false, :now)",
]


async def _old_data(database: Database) -> None:
    values = {
        "now": NOW,
        "later": NOW + timedelta(hours=48),
        "unused": UNUSED,
        "answer": hashlib.sha256(f"bravo-pulse:answer:{USED}".encode()).hexdigest(),
        "comment": hashlib.sha256(f"bravo-pulse:comment:{USED}".encode()).hexdigest(),
        "sent": _card(USED),
        "pending": _card(UNUSED),
    }
    async with database.engine.begin() as connection:
        for statement in STATEMENTS:
            await connection.execute(text(statement), {k: v for k, v in values.items() if f":{k}" in statement})


async def _leftovers(database: Database) -> list[str]:
    secrets = token_secrets([USED, UNUSED])
    reader = Reader(database)
    found = secrets_in(await reader.snapshot(), secrets)
    if database.is_sqlite:
        for name, content in (await reader.sqlite_files()).items():
            found += [f"{name}: {what}" for what in bytes_holding(content, secrets)]
    else:
        pages = await reader.postgres_pages()
        if pages is None:
            warnings.warn("pageinspect could not be installed: PostgreSQL pages were not read", stacklevel=1)
        found += [f"pages: {what}" for what in bytes_holding(pages or b"", secrets)]
    return found


async def test_the_migration_erases_every_old_token_and_hash_and_keeps_participation(old_database: Database) -> None:
    await _old_data(old_database)
    assert await _leftovers(old_database), "the old data should hold tokens before the migration"
    await upgrade(old_database)
    assert await current_revision(old_database) != OLD
    assert await _leftovers(old_database) == []
    async with old_database.engine.connect() as connection:
        rounds = (await connection.execute(text("SELECT closed, closes_at FROM pulse_round"))).all()
        respondents = (await connection.execute(text("SELECT round_id, key FROM pulse_respondent"))).all()
        answers = (await connection.execute(text("SELECT value, version, ballot_hash FROM pulse_answer"))).all()
        outbox = (await connection.execute(text("SELECT person_id, payload FROM outbox"))).all()
    assert [bool(closed) for closed, _ in rounds] == [True]
    assert [round_id for round_id, _ in respondents] == [1] and len(respondents[0][1]) == 32
    assert [tuple(row) for row in answers] == [(4, 1, None)]
    (person_id, payload), *rest = outbox
    assert not rest and person_id == 1
    assert [choice["action"] for choice in json.loads(payload)["choices"]] == ["kudos.thanks"]
