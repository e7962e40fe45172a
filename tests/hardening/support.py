"""Helpers the hardening tests share: a small directory behind the fake Slack users, and counting rows."""

from __future__ import annotations

from sqlmodel import SQLModel, func, select

from handlers.directory import DirectoryRow, import_directory
from handlers.i18n import Translator
from storage.db import Database

# The fake Slack's users (tests/bot/slack/conftest.py): U1 alice, U2 bob, U3 claire, U4 david; `<name>@acme.example`.
# Alice manages Engineering (Bob, Claire); David is alone in Sales and manages it.
DIRECTORY = (
    ("alice@acme.example", "Alice Martin", "", ""),
    ("bob@acme.example", "Bob Smith", "Engineering", "alice@acme.example"),
    ("claire@acme.example", "Claire Petit", "Engineering", "alice@acme.example"),
    ("david@acme.example", "David Chen", "Sales", ""),
)


async def import_people(database: Database, rows: tuple[tuple[str, str, str, str], ...] = DIRECTORY) -> None:
    """`bravo directory import` for (email, name, team, manager email) rows."""
    entries = [
        DirectoryRow(line=n + 2, email=email, name=name, team=team, manager_email=manager, timezone="", language="")
        for n, (email, name, team, manager) in enumerate(rows)
    ]
    async with database.transaction() as session:
        await import_directory(session, entries, Translator("en"))


async def count(database: Database, model: type[SQLModel]) -> int:
    async with database.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())
