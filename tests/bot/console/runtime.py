"""The runtime a console chat runs in for tests: the test's database and policy, every other setting by default."""

from __future__ import annotations

from bot.config import Settings
from bot.runtime import Runtime
from handlers.policy import Policy
from storage.db import Database


def console_runtime(database: Database, policy: Policy) -> Runtime:
    return Runtime(settings=Settings(_env_file=None), database=database, policy=policy)  # type: ignore[call-arg]
