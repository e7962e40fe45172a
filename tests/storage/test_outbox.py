"""The outbox keeps deliveries until they are sent, once, even with two workers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox import NewDelivery
from tests.conftest import both_engines
from tests.storage import outbox_rows

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta, platforms: tuple[str, ...]
) -> list[OutboxMessage]:
    """`claim_batch` without the doubt flags."""
    claimed = await outbox.claim_batch(session, now=now, limit=limit, lease=lease, platforms=platforms)
    return [item.message for item in claimed]


@both_engines
async def test_dedupe_key_queues_once(database: Database) -> None:
    async with database.transaction() as session:
        for expected in (True, False):
            queued = await outbox_rows.enqueue(
                session, kind="dm", platform="slack", payload="{}", channel="C1", dedupe_key="k"
            )
            assert queued is expected
    async with database.sessions() as session:
        assert (await outbox.stats(session)).pending == 1


@both_engines
async def test_a_leased_row_is_not_claimed_twice_until_the_lease_ends(database: Database) -> None:
    async with database.transaction() as session:
        await outbox_rows.enqueue(session, kind="dm", platform="slack", payload="{}", channel="C1", not_before=NOW)
    lease = timedelta(minutes=2)
    async with database.transaction() as session:
        first = await claim_due(session, now=NOW, limit=10, lease=lease, platforms=("slack",))
    async with database.transaction() as session:
        second = await claim_due(session, now=NOW, limit=10, lease=lease, platforms=("slack",))
    async with database.transaction() as session:
        after_lease = await claim_due(session, now=NOW + lease, limit=10, lease=lease, platforms=("slack",))
    assert len(first) == 1 and second == [] and len(after_lease) == 1


@both_engines
async def test_retry_waits_and_failure_is_recorded(database: Database) -> None:
    async with database.transaction() as session:
        await outbox_rows.enqueue(session, kind="dm", platform="slack", payload="{}", channel="C1", not_before=NOW)
        await outbox_rows.enqueue(session, kind="dm", platform="slack", payload="{}", channel="C2", not_before=NOW)
    async with database.transaction() as session:
        first, second = await claim_due(session, now=NOW, limit=10, lease=timedelta(1), platforms=("slack",))
        await outbox.mark_retry(session, message_id=first.id or 0, next_attempt_at=NOW + timedelta(60), error="429")
        await outbox.mark_failed(session, message_id=second.id or 0, error="channel_not_found")
    async with database.transaction() as session:
        assert await claim_due(session, now=NOW, limit=10, lease=timedelta(1), platforms=("slack",)) == []
        stats = await outbox.stats(session)
        failures = await outbox.recent_failures(session)
    assert (stats.pending, stats.failed) == (1, 1)
    assert failures[0].last_error == "channel_not_found"


def test_a_queued_row_names_every_column_so_a_burst_goes_in_one_statement() -> None:
    row = NewDelivery(kind="kudos_dm", platform="slack", payload="{}", person_id=1).row(datetime.now(UTC))
    columns = {column.name for column in OutboxMessage.__table__.columns} - {"id"}  # type: ignore[attr-defined]
    assert set(row) == columns


@both_engines
async def test_a_held_message_is_never_claimed_nor_emptied_until_it_is_released(database: Database) -> None:
    """Held (the platform refused Bravo's token) means not delivered yet: no worker takes it, retention keeps its
    text for when it goes out, and releasing it makes it due at once."""
    from storage.retention import empty_delivered_payloads

    async with database.transaction() as session:
        await outbox_rows.enqueue(session, kind="dm", platform="slack", payload='{"text": "hi"}', channel="C1")
        (row,) = await claim_due(
            session,
            now=datetime.now(UTC) + timedelta(seconds=1),
            limit=5,
            lease=timedelta(minutes=1),
            platforms=("slack",),
        )
        await outbox.mark_held(session, message_id=row.id or 0, error="invalid_auth")
    async with database.transaction() as session:
        later = datetime.now(UTC) + timedelta(days=400)
        assert await claim_due(session, now=later, limit=5, lease=timedelta(minutes=1), platforms=("slack",)) == []
        assert await empty_delivered_payloads(session, before=later, payload="{}") == 0
        assert (await outbox.stats(session)).held == 1
        assert await outbox.release_held(session, now=later, platform="teams") == 0
        assert await outbox.release_held(session, now=later, platform="slack") == 1
        (again,) = await claim_due(session, now=later, limit=5, lease=timedelta(minutes=1), platforms=("slack",))
        assert again.payload == '{"text": "hi"}' and again.attempts == 0
