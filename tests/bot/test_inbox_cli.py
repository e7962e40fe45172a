"""What an operator sees of the events inbox: parked events in `bravo status` and `/metrics`, `bravo inbox list`,
and `bravo inbox replay` queueing them again."""

from __future__ import annotations

from datetime import timedelta

from storage import inbox
from storage.db import Database
from storage.inbox import Delivery
from storage.models.base import utcnow
from tests.cli import run_bravo


async def park(database: Database, *delivery_ids: str) -> None:
    async with database.transaction() as session:
        await inbox.store_many(
            session, [Delivery(delivery_id=key, platform="slack", body="{}") for key in delivery_ids]
        )
        rows = await inbox.claim(session, now=utcnow(), lease=timedelta(minutes=1), owner="test")
        for row in rows:
            await inbox.fail(session, row_id=row.id or 0, error="ValueError: unreadable", retry_at=None)


async def test_parked_events_are_shown_and_replayed(database: Database) -> None:
    await park(database, "slack:EvPARK1")
    url = database.url.render_as_string(hide_password=False)
    status = run_bravo("status", database_url=url)
    assert status.returncode == 0 and "inbox: 0 pending, 1 parked, 0 processed" in status.stdout
    assert "slack:EvPARK1: ValueError: unreadable" in status.stdout
    listing = run_bravo("inbox", "list", database_url=url)
    assert "slack:EvPARK1 after 1 attempts: ValueError: unreadable" in listing.stdout
    wrong = run_bravo("inbox", "replay", "--id", "999", database_url=url)
    assert wrong.returncode == 1 and len(wrong.stderr.strip().splitlines()) == 1 and "999" in wrong.stderr
    replay = run_bravo("inbox", "replay", database_url=url)
    assert replay.returncode == 0 and replay.stdout.strip() == "1 event queued again"
    async with database.sessions() as session:
        assert (await inbox.stats(session)) == inbox.InboxStats(pending=1, parked=0, done=0)
    french = run_bravo("inbox", "list", database_url=url, BRAVO_LANGUAGE="fr")
    assert french.stdout.strip() == "Aucun événement mis de côté."
