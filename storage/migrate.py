"""Apply Alembic migrations from inside the running program, on the program's own async engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from storage.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def upgrade(database: Database, revision: str = "heads") -> None:
    """Bring the schema to `revision` (every branch's head by default); safe to call at every start.

    Alembic begins and commits the transaction itself, so a migration can leave it for an autocommit block (a
    `VACUUM`)."""
    async with database.engine.connect() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
        await connection.commit()


async def current_revision(database: Database) -> str | None:
    """The applied revision(s), comma-separated when several branches are applied."""
    from alembic.runtime.migration import MigrationContext

    async with database.engine.connect() as connection:
        heads = await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_heads())
    return ",".join(sorted(heads)) or None


async def make_revision(database: Database, message: str, *, head: str = "head") -> None:
    """Autogenerate a new migration from the models (a developer command); the database must be up to date."""
    async with database.engine.begin() as connection:
        await connection.run_sync(
            lambda sync: command.revision(alembic_config(sync), message=message, autogenerate=True, head=head)
        )
