"""A fresh, migrated database per benchmark: a temporary SQLite file, or a private PostgreSQL database."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from storage.db import Database
from storage.migrate import upgrade
from tests.databases import create_postgres_database, drop_postgres_database, postgres_problem


@asynccontextmanager
async def fresh_database(engine: str, folder: Path | None = None) -> AsyncIterator[str]:
    """Yields the URL of an empty, migrated database on `engine`, removed afterwards (SQLite: under `folder`)."""
    if engine == "postgresql":
        problem = await postgres_problem()
        if problem:
            raise RuntimeError(problem)
        url = await create_postgres_database()
        try:
            yield url
        finally:
            await drop_postgres_database(url)
        return
    with tempfile.TemporaryDirectory(prefix="bravo-run-", dir=folder) as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bravo.db'}"
        database = Database(url)
        try:
            await upgrade(database)
        finally:
            await database.dispose()
        yield url
