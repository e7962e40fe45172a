"""`INSERT … ON CONFLICT DO NOTHING` on both SQLite and PostgreSQL: the primitive behind every idempotency key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


def table_of(model: type[SQLModel]) -> Table:
    """The model's table, for Core statements: inserting through the table skips the ORM's bulk bookkeeping."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _insert(session: AsyncSession, model: type[SQLModel]) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table_of(model)).on_conflict_do_nothing()


async def insert_ignore(session: AsyncSession, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert one row unless a unique key already holds it; True when this call inserted it."""
    result = await session.exec(_insert(session, model).values(**values))
    return bool(result.rowcount)


async def insert_ignore_many(session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """The same for many rows in one statement (the driver's batch insert); rows already present are skipped.

    Every row must name the same columns, so that one compiled statement serves them all.
    """
    if rows:
        await session.exec(_insert(session, model), params=list(rows))


async def insert_ignore_returning(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]], *, returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """Insert many rows in one statement (SQLAlchemy splits it to fit the driver's parameter limit), skipping those a
    unique key already holds; returns the `returning` columns of the rows this call inserted, in no given order.

    Every row must name the same columns."""
    if not rows:
        return []
    table = table_of(model)
    statement = _insert(session, model).returning(*(table.c[name] for name in returning))
    result = await session.exec(statement, params=list(rows))
    return [tuple(row) for row in result.all()]
