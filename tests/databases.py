"""Test databases: a migrated SQLite file per test, and a private PostgreSQL database per test session."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import text

from storage.db import Database
from storage.migrate import upgrade
from storage.models import metadata

POSTGRES_URL = os.environ.get("BRAVO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("BRAVO_REQUIRE_POSTGRES") == "1"


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def postgres_problem() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({type(error).__name__}: {error})"
    await connection.close()
    return None


async def create_postgres_database(revision: str = "heads") -> str:
    """A fresh database migrated to `revision` (the latest by default); returns its SQLAlchemy URL."""
    name = f"bravo_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = sqlalchemy_url(POSTGRES_URL.rsplit("/", 1)[0] + "/" + name)
    database = Database(url)
    try:
        await upgrade(database, revision)
    finally:
        await database.dispose()
    return url


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def truncate_all(database: Database) -> None:
    """Empty every table between tests (much faster than a new database)."""
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def create_sqlite_template(folder: Path) -> Path:
    path = folder / "template.db"
    database = Database(f"sqlite+aiosqlite:///{path}")

    async def migrate() -> None:
        try:
            await upgrade(database)
        finally:
            await database.dispose()

    asyncio.run(migrate())
    return path


def sqlite_copy(template: Path, folder: Path) -> str:
    path = folder / f"bravo-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"
