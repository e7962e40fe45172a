"""Opening and closing what a command needs: settings, the database (migrated) and the policy."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import DEFAULT_DATABASE_URL, Settings
from handlers.policy import Policy
from storage import people as people_store
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    database: Database
    policy: Policy


@asynccontextmanager
async def open_runtime(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Runtime]:
    """The database with pending migrations applied and the configured company values in place."""
    database = Database(settings.database_url, create_folder=settings.database_url == DEFAULT_DATABASE_URL)
    try:
        if migrate:
            await upgrade(database)
            async with database.transaction() as session:
                await people_store.sync_values(session, slugs=settings.company_values)
        yield Runtime(settings=settings, database=database, policy=settings.policy())
    finally:
        await database.dispose()
