"""Fan-out through Teams: one pulse to 2,000 people through a Bot Connector that enforces Teams' limits.

The fake connector (its own process, `bench.fanout_teams_fake`) accepts about 7 messages a second per conversation and
30 a second per tenant, with the same forgiving burst as the Slack fake, and answers `429` with `Retry-After` beyond.
Everyone has a stored 1:1 chat with Bravo (as after a first contact or a roster sync), so each message is one
`send_to_conversation`: the tenant's 30 a second is the limit that binds. Bravo runs the real Teams sender and
outbox worker with **default settings**; the baseline is the tenant's limit.
"""

from __future__ import annotations

import sys
from typing import Any

from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from sqlalchemy import text

from bench.fanout import (
    BURST,
    JITTER_SECONDS,
    PEOPLE,
    TEAMS,
    Delivery,
    FanoutFigures,
    deliver,
    organisation_and_fake,
)
from bench.org import Scale
from bench.processes import SECRET_KEY
from bot.config import Settings
from bot.teams.references import to_json
from storage import conversation_references as teams_store
from storage import people as people_store
from storage.db import Database
from storage.models.conversation_references import PERSONAL

PER_CONVERSATION_RATE = 7.0
PER_TENANT_RATE = 30.0
TENANT = "bench-tenant"
BOT = ChannelAccount(id="28:bravo-bench", name="Bravo")


def teams_settings(database_url: str) -> Settings:
    """Teams on (the fake connector needs no token), Slack off, everything else by default."""
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "",
        "MICROSOFT_APP_ID": "",
        "TEAMS_ALLOW_UNAUTHENTICATED": True,
        "BRAVO_LOG_LEVEL": "WARNING",
        "BRAVO_SECRET_KEY": SECRET_KEY,
    }
    return Settings(_env_file=None, **values)


async def give_everyone_a_chat(database: Database, service_url: str) -> set[str]:
    """A Teams id and a stored 1:1 chat with Bravo for everyone; returns the chats' conversation ids."""
    conversations: set[str] = set()
    async with database.transaction() as session:
        await session.exec(text("UPDATE person SET teams_id = '29:' || slack_id WHERE slack_id IS NOT NULL"))  # type: ignore[call-overload]
        for person in await people_store.all_people(session):
            if not person.teams_id or person.id is None:
                continue
            conversation = f"a:{person.teams_id}"
            reference = ConversationReference(
                channel_id="msteams",
                service_url=service_url,
                bot=BOT,
                user=ChannelAccount(id=person.teams_id, name=person.display_name),
                conversation=ConversationAccount(
                    id=conversation, conversation_type="personal", tenant_id=TENANT, is_group=False
                ),
            )
            await teams_store.save_reference(
                session,
                kind=PERSONAL,
                person_id=person.id,
                conversation_id=conversation,
                service_url=service_url,
                reference=to_json(reference),
                tenant_id=TENANT,
            )
            conversations.add(conversation)
    return conversations


async def measure_teams(engine: str, *, people: int = PEOPLE, burst: float = BURST) -> FanoutFigures:
    """Queue one pulse for `people` people on Teams and deliver it; the figures come from the fake's records."""
    scale = Scale(people=people, teams=max(1, people * TEAMS // PEOPLE), kudos=0, pulse_answers=0)
    arguments = [sys.executable, "-m", "bench.fanout_teams_fake", "--per-conversation", str(PER_CONVERSATION_RATE)]
    arguments += ["--per-tenant", str(PER_TENANT_RATE), "--burst", str(max(burst, PER_TENANT_RATE * JITTER_SECONDS))]
    async with organisation_and_fake(engine, scale, arguments) as (url, database, service_url):
        expected = await give_everyone_a_chat(database, service_url)
        delivery = Delivery("teams", PER_TENANT_RATE, service_url.removesuffix("/"), expected)
        return await deliver(engine, database, teams_settings(url), scale, delivery)
