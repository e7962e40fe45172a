"""A PostgreSQL restart kills every pooled connection: the next transaction must still work.

Killing the server's backends is what a restart does to Bravo's pool; the test does it from a separate connection,
as the server would, without asking Bravo first.
"""

from __future__ import annotations

import asyncio

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage import db as db_module
from storage.db import Database
from tests.databases import asyncpg_dsn


async def _kill_backends(url: str) -> int:
    """Terminate every other connection to this database, as a server restart would."""
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return len(rows)


async def _one(database: Database) -> int:
    async with database.transaction() as session:
        connection = await session.connection()
        return int(await connection.scalar(text("SELECT 1")))


async def _pooled(postgres_url: str) -> Database:
    database = Database(postgres_url, pool_size=2)
    await asyncio.gather(_one(database), _one(database))
    assert await _kill_backends(postgres_url) >= 1
    return database


async def test_a_connection_idle_through_a_restart_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.05)
    database = await _pooled(postgres_url)
    try:
        await asyncio.sleep(0.1)
        assert await _one(database) == 1
        assert await _one(database) == 1
    finally:
        await database.dispose()


async def test_a_restart_under_way_fails_only_the_work_in_flight(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Connections just handed back are not pinged: the first use of a dead one fails, and the whole pool is replaced
    at once, so the next transaction works."""
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 3600.0)
    database = await _pooled(postgres_url)
    try:
        with pytest.raises(DBAPIError):
            await _one(database)
        assert await _one(database) == 1
        assert await _one(database) == 1
    finally:
        await database.dispose()
