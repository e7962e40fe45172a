"""The async engine and sessions; one `Database` per process, passed to whoever needs it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db_errors import DatabaseUnavailable

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A pooled PostgreSQL connection idle for longer than this is pinged before use (see `_ping_when_idle`).
IDLE_PING_SECONDS = 1.0
_RETURNED = "bravo_returned_at"
IMMEDIATE = "bravo_sqlite_immediate"
_writing: ContextVar[bool] = ContextVar("bravo_sqlite_writing", default=False)


class Database:
    """Owns the engine; `transaction()` is the unit of work every handler runs in."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10, create_folder: bool = False) -> None:
        """`create_folder`: make the SQLite file's folder when missing (only for the default `./data/`); otherwise a
        missing folder is refused, since a mistyped path would start an empty database that looks healthy."""
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        options: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            _check_sqlite_folder(self.url.database, create=create_folder)
            options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        else:
            options.update(pool_size=pool_size, max_overflow=pool_size * 2)
        self.engine: AsyncEngine = create_async_engine(url, **options)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        else:
            _ping_when_idle(self.engine)
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._sqlite_writer = asyncio.Lock() if self.is_sqlite else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error.

        SQLite has one writer at a time; queueing this process's transactions on an asyncio lock means the one
        holding SQLite's lock runs without waiting behind every other request on the event loop.
        """
        if self._sqlite_writer is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        if _writing.get():
            raise RuntimeError("a write transaction is already open in this task; pass its session instead")
        async with self._sqlite_writer, self.sessions() as session, session.begin():
            token = _writing.set(True)
            try:
                await session.connection(execution_options={IMMEDIATE: True})
                yield session
            finally:
                _writing.reset(token)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


def _check_sqlite_folder(database: str | None, *, create: bool) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).expanduser().parent
    if folder.is_dir():
        return
    if not create:
        raise DatabaseUnavailable(
            f"the folder {folder} of the SQLite database does not exist; create it (mkdir -p {folder}) "
            "or correct DATABASE_URL"
        )
    folder.mkdir(parents=True, exist_ok=True)


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection before use only when it sat idle for `IDLE_PING_SECONDS`.

    A database restart kills every pooled connection; pinging at checkout (`pool_pre_ping`) finds out before a request
    fails, but costs three round trips (BEGIN, a query, ROLLBACK) on every transaction, a third of an inbox commit
    under load. A connection handed back a moment ago was alive a moment ago: it is used as is, and if the database
    went away in between, the failing statement's disconnect error invalidates the whole pool (SQLAlchemy's default),
    so only work already under way fails, as it would have anyway. A failed ping invalidates the whole pool too: a
    restart leaves no pooled connection alive.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - whatever the driver raises, the connection is gone
            raise exc.InvalidatePoolError(f"pooled connection lost: {error}") from error


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL for concurrent readers, enforced foreign keys, and BEGIN IMMEDIATE for write transactions so
    read-then-write checks (allowances, claims) cannot interleave between connections or processes; read-only
    sessions begin deferred and never take the write lock."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # a migration's autocommit block (VACUUM cannot run inside a transaction)
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
