"""One place builds the outbox worker (`bot.platforms.outbox_worker`), so every command delivers at the configured
pace: the server, `bravo pulse send`, `bravo outbox retry`, `bravo schedule run` and the console."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.config import Settings
from bot.console.chat import ConsoleChat
from bot.console.demo import seed_demo
from bot.runtime import Runtime
from handlers.policy import Policy
from storage import people as people_store
from storage.db import Database

BOT = Path(__file__).resolve().parents[2] / "bot"


def test_no_module_of_bot_but_the_factory_builds_an_outbox_worker() -> None:
    builders = [
        path.relative_to(BOT.parent).as_posix()
        for path in BOT.rglob("*.py")
        if re.search(r"\bOutboxWorker\(", path.read_text(encoding="utf-8"))
    ]
    assert builders == ["bot/platforms.py"]


async def test_the_console_delivers_at_the_configured_ceiling(database: Database, policy: Policy) -> None:
    settings = Settings(_env_file=None, BRAVO_OUTBOX_RATE=40)  # type: ignore[call-arg]
    async with database.transaction() as session:
        await seed_demo(session, values=policy.company_values)
        (person,) = await people_store.people_named(session, name="Bob Smith")
    chat = ConsoleChat(
        Runtime(settings=settings, database=database, policy=policy), person, io.StringIO(""), io.StringIO()
    )
    await chat.run()
    assert chat.worker.pacer.ceiling == 40
