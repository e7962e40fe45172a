"""Replaying a SQLite write-ahead log commit by commit, as anyone holding a copy of `bravo.db` and `bravo.db-wal` can.

The WAL is a 32-byte header and frames of (24-byte header, one page); a frame whose header carries a database size
ends a transaction. Applying the frames of the current generation (same salts as the header) to the main file, one
commit at a time, gives every state the database went through since the last checkpoint.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path

from tests.anonymity.support import Key, Snapshot, Values

HEADER = 32
FRAME_HEADER = 24


def committed_images(main: bytes, wal: bytes) -> Iterator[bytes]:
    """The database file as it was after each transaction the WAL holds, oldest first."""
    if len(wal) < HEADER:
        return
    _magic, _version, page_size, _sequence, salt1, salt2, _c1, _c2 = struct.unpack(">8I", wal[:HEADER])
    image = bytearray(main)
    pending: dict[int, bytes] = {}
    offset = HEADER
    while offset + FRAME_HEADER + page_size <= len(wal):
        page, size, frame_salt1, frame_salt2 = struct.unpack(">4I", wal[offset : offset + 16])
        if (frame_salt1, frame_salt2) != (salt1, salt2):
            return
        pending[page] = wal[offset + FRAME_HEADER : offset + FRAME_HEADER + page_size]
        offset += FRAME_HEADER + page_size
        if not size:
            continue
        if len(image) < size * page_size:
            image.extend(bytes(size * page_size - len(image)))
        for number, content in pending.items():
            image[(number - 1) * page_size : number * page_size] = content
        del image[size * page_size :]
        pending.clear()
        yield bytes(image)


def read_image(image: bytes, folder: Path) -> Snapshot:
    """Every row of every table of a database image, read with the standard library alone."""
    path = folder / "replayed.db"
    path.write_bytes(image)
    connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables: dict[str, dict[Key, tuple[Values, object]]] = {}
        for name in names:
            if name.startswith("sqlite_") or name == "alembic_version":
                continue
            keys = [row[1] for row in connection.execute(f'PRAGMA table_info("{name}")') if row[5]]
            cursor = connection.execute(f'SELECT * FROM "{name}"')
            columns = [item[0] for item in cursor.description]
            rows: dict[Key, tuple[Values, object]] = {}
            for row in cursor.fetchall():
                values = dict(zip(columns, row, strict=True))
                rows[tuple(values[key] for key in keys) if keys else tuple(row)] = (values, None)
            tables[name] = rows
        return Snapshot(tables)
    finally:
        connection.close()
