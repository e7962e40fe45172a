"""Everything the database holds about one person, found from the schema itself.

Any column that references `person.id` (plus `team.manager_id`, which has no foreign key) is a place where a person
appears, so a table added later is covered by export and forget without touching this module.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import metadata

PERSON_TABLE = "person"
EXTRA_PERSON_COLUMNS = {("team", "manager_id")}


def person_columns() -> list[tuple[Table, Column[Any]]]:
    """Every (table, column) that points at a person, in dependency order."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            references_person = any(fk.column.table.name == PERSON_TABLE for fk in column.foreign_keys)
            if references_person or (table.name, column.name) in EXTRA_PERSON_COLUMNS:
                found.append((table, column))
    return found


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime | date) else value


async def rows_about(session: AsyncSession, *, person_id: int) -> dict[str, list[dict[str, object]]]:
    """Rows per table that mention the person (the person row itself included)."""
    connection = await session.connection()
    person_table = metadata.tables[PERSON_TABLE]
    export: dict[str, list[dict[str, object]]] = {}
    person_rows = (await connection.execute(select(person_table).where(person_table.c.id == person_id))).mappings()
    export[PERSON_TABLE] = [{key: _plain(value) for key, value in row.items()} for row in person_rows]
    for table, column in person_columns():
        if table.name == PERSON_TABLE and column.name == "manager_id":
            continue
        result = (await connection.execute(select(table).where(column == person_id))).mappings()
        rows = [{key: _plain(value) for key, value in row.items()} for row in result]
        if rows:
            export.setdefault(f"{table.name}.{column.name}", []).extend(rows)
    return export


async def delete_rows_about(session: AsyncSession, *, person_id: int, tables: set[str]) -> int:
    """Delete the rows of `tables` that point at the person; returns how many went."""
    connection = await session.connection()
    removed = 0
    for table, column in person_columns():
        if table.name in tables:
            result = await connection.execute(delete(table).where(column == person_id))
            removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


async def detach_references(session: AsyncSession, *, person_id: int, columns: set[tuple[str, str]]) -> None:
    """Set the named nullable columns that point at the person to NULL (e.g. who manages whom)."""
    connection = await session.connection()
    for table, column in person_columns():
        if (table.name, column.name) in columns and column.nullable:
            await connection.execute(update(table).where(column == person_id).values({column.name: None}))
