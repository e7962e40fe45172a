"""Shared fixtures: databases on both engines, settings pointing at them, a fixed clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from handlers.policy import Policy
from storage.db import Database
from tests.databases import (
    REQUIRE_POSTGRES,
    create_postgres_database,
    create_sqlite_template,
    drop_postgres_database,
    postgres_problem,
    sqlite_copy,
    truncate_all,
)

ENGINES = ["sqlite", "postgresql"]
# Pulse ballots are made with BRAVO_SECRET_KEY: every test that sends a pulse runs with this one.
TEST_SECRET_KEY = "test-secret-key-for-pulse-ballots-0123456789"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private, migrated PostgreSQL database for this test session; skipped (or failed in CI) without a server."""
    problem = asyncio.run(postgres_problem())
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem)
        pytest.skip(f"{problem}; start PostgreSQL (or set BRAVO_TEST_POSTGRES_URL) to run these tests")
    url = asyncio.run(create_postgres_database())
    yield url
    asyncio.run(drop_postgres_database(url))


@pytest.fixture
def database_url(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database's URL: SQLite unless parametrized (see `both_engines`); emptied afterwards."""
    engine = getattr(request, "param", "sqlite")
    if engine != "postgresql":
        yield sqlite_copy(sqlite_template, tmp_path)
        return
    url = str(request.getfixturevalue("postgres_url"))
    yield url
    asyncio.run(_empty(url))


async def _empty(url: str) -> None:
    db = Database(url)
    try:
        await truncate_all(db)
    finally:
        await db.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database on the engine `database_url` names."""
    db = Database(database_url)
    try:
        yield db
    finally:
        await db.dispose()


both_engines = pytest.mark.parametrize("database_url", ENGINES, indirect=True)


@pytest.fixture
def policy() -> Policy:
    return Policy(admin_emails=frozenset({"admin@example.com"}), secret_key=TEST_SECRET_KEY)


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 18, 10, 30, tzinfo=UTC)


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for the test database, with no platform configured and no `.env` read."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "TEAMS_ALLOW_UNAUTHENTICATED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BRAVO_SECRET_KEY", TEST_SECRET_KEY)
    return load_settings(_env_file=None)
