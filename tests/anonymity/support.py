"""The attacker's tools: read the whole database, compare two reads, and look for a person or a token in the result.

Everything here works from the live schema (reflected, not `storage.models`), so a table or column a later change
adds is read too. On PostgreSQL every row also carries its `xmin` (the transaction that wrote this version): a row
rewritten with the same values still shows up as changed, as it does to anyone reading the row versions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, literal_column, select, text

from storage.db import Database

Key = tuple[Any, ...]
Values = dict[str, Any]
FIRST_PERSON_ID = 7001
# Every table and index of the schema, and the TOAST tables (and their indexes) holding their long values.
RELATIONS = """
WITH owned AS (SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND reltoastrelid <> 0)
SELECT oid::regclass::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i')
UNION SELECT reltoastrelid::regclass::text FROM owned
UNION SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid IN (SELECT reltoastrelid FROM owned)
"""
HASH_PREFIX = 12


class Leak(AssertionError):
    """Raised when the promise breaks, and by nothing else: the xfail markers expect exactly this, so a harness that
    stops working (a changed message, a missing button) fails loudly instead of passing as an expected failure."""


def no_leak(problems: Iterable[str], heading: str) -> None:
    found = list(dict.fromkeys(problems))
    if found:
        raise Leak(heading + "\n" + "\n".join(f"  {problem}" for problem in found))


@dataclass(frozen=True)
class Snapshot:
    """Every row of every table: table -> primary key (or the whole row) -> (column values, row version)."""

    tables: dict[str, dict[Key, tuple[Values, Any]]]

    def rows(self) -> Iterator[tuple[str, Values]]:
        for table, rows in self.tables.items():
            for values, _version in rows.values():
                yield table, values


@dataclass(frozen=True)
class Change:
    """One row inserted, deleted or updated (values or, on PostgreSQL, just its row version) between two reads."""

    table: str
    kind: str
    before: Values | None
    after: Values | None

    def values(self) -> Iterator[tuple[str, Any]]:
        for row in (self.before, self.after):
            yield from (row or {}).items()

    def describe(self) -> str:
        row = self.after if self.after is not None else self.before
        return f"{self.table}: row {self.kind} {_short(row or {})}"


def _short(row: Mapping[str, Any], width: int = 160) -> str:
    shown = ", ".join(f"{key}={value!r}" for key, value in row.items())
    return shown if len(shown) <= width else shown[: width - 1] + "…"


class Reader:
    """Reads a database the way an admin with plain SELECT rights would, whatever its tables are."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._tables: list[Table] | None = None

    async def tables(self) -> list[Table]:
        if self._tables is None:
            metadata = MetaData()
            async with self.database.engine.connect() as connection:
                await connection.run_sync(lambda sync: metadata.reflect(bind=sync))
            self._tables = [table for table in metadata.sorted_tables if table.name != "alembic_version"]
        return self._tables

    async def snapshot(self) -> Snapshot:
        tables = await self.tables()
        postgres = not self.database.is_sqlite
        found: dict[str, dict[Key, tuple[Values, Any]]] = {}
        async with self.database.engine.connect() as connection:
            for table in tables:
                columns = list(table.columns)
                statement = select(*columns, *([literal_column("xmin::text")] if postgres else []))
                keys = [column.name for column in (table.primary_key.columns or columns)]
                rows: dict[Key, tuple[Values, Any]] = {}
                for row in (await connection.execute(statement)).all():
                    values = {column.name: row[index] for index, column in enumerate(columns)}
                    version = row[len(columns)] if postgres else None
                    rows[tuple(values[key] for key in keys)] = (values, version)
                found[table.name] = rows
        return Snapshot(found)

    async def sqlite_files(self) -> dict[str, bytes]:
        """The SQLite database file and whatever sits next to it (WAL, shared memory, journal), as bytes."""
        path = Path(str(self.database.url.database))
        return {item.name: item.read_bytes() for item in sorted(path.parent.glob(path.name + "*")) if item.is_file()}

    async def postgres_pages(self) -> bytes | None:
        """Every page of every table, index and TOAST table, dead row versions and index entries included
        (`pageinspect`); None when the extension cannot be installed."""
        async with self.database.engine.connect() as connection:
            try:
                await connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
                await connection.commit()
            except Exception:  # noqa: BLE001 - not a superuser: the caller says what it could not check
                return None
            relations = (await connection.execute(text(RELATIONS))).scalars()
            chunks: list[bytes] = []
            for relation in relations.all():
                size = (await connection.execute(text("SELECT pg_relation_size(:r)"), {"r": relation})).scalar_one()
                for page in range(int(size) // 8192):
                    raw = await connection.execute(
                        text("SELECT get_raw_page(:r, 'main', :p)"), {"r": relation, "p": page}
                    )
                    chunks.append(bytes(raw.scalar_one()))
            return b"".join(chunks)


def diff(before: Snapshot, after: Snapshot) -> list[Change]:
    """What changed between two reads, row by row."""
    changes: list[Change] = []
    for table in sorted(set(before.tables) | set(after.tables)):
        old, new = before.tables.get(table, {}), after.tables.get(table, {})
        for key in old.keys() - new.keys():
            changes.append(Change(table, "deleted", old[key][0], None))
        for key in new.keys() - old.keys():
            changes.append(Change(table, "inserted", None, new[key][0]))
        for key in old.keys() & new.keys():
            if old[key] != new[key]:
                kind = "updated" if old[key][0] != new[key][0] else "rewritten (new row version)"
                changes.append(Change(table, kind, old[key][0], new[key][0]))
    return changes


def hashes(value: str) -> dict[str, str]:
    """Unkeyed digests of a value (hex) by algorithm, as anyone could compute them from the value alone."""
    data = value.encode()
    return {name: hashlib.new(name, data).hexdigest() for name in ("md5", "sha1", "sha256", "sha512", "blake2b")}


def _pattern(value: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", re.IGNORECASE)


@dataclass
class Identity:
    """What names a person: their id, platform ids, DM channels, email and name, and keys built from them."""

    label: str
    person_id: int
    strings: dict[str, str] = field(default_factory=dict)

    def add(self, role: str, value: str | None) -> None:
        """Another value naming the person; `role` says what it is (their email, their DM channel…)."""
        if value:
            self.strings.setdefault(value, role)

    def _patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        values = {str(self.person_id): "their person id", **self.strings}
        found = []
        for value, role in values.items():
            found.append((role, _pattern(value)))
            found.extend((f"a hash of {role}", re.compile(d[:HASH_PREFIX])) for d in hashes(value).values())
        return found

    def named_in(self, cells: Iterable[tuple[str, Any]]) -> dict[str, str]:
        """Column -> what in it points to the person (empty when nothing does)."""
        reasons: dict[str, str] = {}
        patterns = self._patterns()
        for column, value in cells:
            if column in reasons or isinstance(value, bool):
                continue
            if isinstance(value, int) and value == self.person_id:
                reasons[column] = "their person id"
            elif isinstance(value, str | bytes):
                content = value.decode(errors="replace") if isinstance(value, bytes) else value
                what = next((role for role, pattern in patterns if pattern.search(content)), None)
                if what:
                    reasons[column] = what
        return reasons


def naming(changes: Iterable[Change], identity: Identity) -> list[str]:
    """The changes that name or point to the person, each as `table: row <kind>; column (what), …`."""
    found = []
    for change in changes:
        reasons = identity.named_in(change.values())
        if reasons:
            shown = ", ".join(f"{column} ({what})" for column, what in sorted(reasons.items()))
            found.append(f"{change.table}: row {change.kind}; {shown}")
    return found


def summary(findings: Iterable[str], out_of: int, what: str) -> list[str]:
    """Findings grouped, most frequent first, each with how many of the `out_of` events (`what`) showed it."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding] = counts.get(finding, 0) + 1
    return [
        f"{count:>3} of {out_of} {what}: {finding}" for finding, count in sorted(counts.items(), key=lambda i: -i[1])
    ]


def secrets_in(snapshot: Snapshot, secrets: Mapping[str, str]) -> list[str]:
    """Where any of `secrets` (label -> value) sits in a read: `table.column holds <kind of secret>`."""
    cells = [
        (table, column, value.decode(errors="replace") if isinstance(value, bytes) else value)
        for table, row in snapshot.rows()
        for column, value in row.items()
        if isinstance(value, str | bytes)
    ]
    everything = "\x00".join(text for _, _, text in cells)
    found: list[str] = []
    for label, secret in secrets.items():
        if secret in everything:
            found.extend(f"{table}.{column} holds {kind(label)}" for table, column, text in cells if secret in text)
    return found


def bytes_holding(content: bytes, secrets: Mapping[str, str]) -> list[str]:
    """Which kinds of secret appear in raw bytes (a database file, its WAL, PostgreSQL pages), each once."""
    found: dict[str, None] = {}
    for label, secret in secrets.items():
        raw = secret.encode()
        if raw in content or (_is_hex(secret) and bytes.fromhex(secret) in content):
            found[kind(label)] = None
    return list(found)


def _is_hex(value: str) -> bool:
    return len(value) % 2 == 0 and all(c in "0123456789abcdef" for c in value)


def kind(label: str) -> str:
    """What a secret is, without the secret itself (`token|X` -> `a ballot token`)."""
    return label.partition("|")[0]


def token_secrets(tokens: Iterable[str]) -> dict[str, str]:
    """Each ballot token and every unkeyed hash of it an attacker could try, Bravo's own prefixes included."""
    found: dict[str, str] = {}
    for token in tokens:
        found[f"a ballot token|{token}"] = token
        for prefix in ("", "bravo-pulse:answer:", "bravo-pulse:comment:"):
            for name, digest in hashes(prefix + token).items():
                found[f"{name}({prefix}<token>)|{token}"] = digest
    return found


async def start_person_ids_at(database: Database, first: int = FIRST_PERSON_ID) -> None:
    """Make person ids stand out (no small number elsewhere can be mistaken for one): the next id is `first`."""
    async with database.engine.begin() as connection:
        if database.is_sqlite:
            await connection.execute(
                text(
                    "INSERT INTO person (id, display_name, is_admin, is_bot, active, created_at, updated_at) "
                    "VALUES (:id, 'placeholder', 0, 1, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": first - 1},
            )
        else:
            await connection.execute(
                text("SELECT setval(pg_get_serial_sequence('person', 'id'), :id)"), {"id": first - 1}
            )


async def drop_placeholder(database: Database, first: int = FIRST_PERSON_ID) -> None:
    """Remove the SQLite placeholder once real people exist (their ids keep counting from `first`)."""
    if database.is_sqlite:
        async with database.engine.begin() as connection:
            await connection.execute(text("DELETE FROM person WHERE id = :id"), {"id": first - 1})
