"""Claims of scheduled posts are exclusive on both engines, even while the first claimer has not committed yet;
the digest aggregates answer for many teams at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import digest as digest_store
from storage import schedule as schedule_store
from storage.db import Database
from tests.conftest import both_engines
from tests.scheduler.support import give, seed

NOW = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
KEY = {"kind": "manager_digest", "target": "42", "period": "2026-W14"}


@both_engines
async def test_a_key_is_claimed_once(database: Database) -> None:
    async with database.transaction() as session:
        assert await schedule_store.claim(session, **KEY, owner="a", now=NOW)
        assert not await schedule_store.claim(session, **KEY, owner="b", now=NOW)
        assert await schedule_store.claim(session, **{**KEY, "period": "2026-W15"}, owner="b", now=NOW)
        await schedule_store.finish(session, **KEY, status="queued", deliveries=2, now=NOW)
    async with database.sessions() as session:
        claim = await schedule_store.get_claim(session, **KEY)
        pairs = await schedule_store.claimed_targets(session, kind="manager_digest", periods=["2026-W14"])
    assert claim is not None and (claim.owner, claim.status, claim.deliveries) == ("a", "queued", 2)
    assert pairs == {("42", "2026-W14")}


@both_engines
async def test_a_batch_of_claims_takes_only_the_keys_nobody_holds_and_records_each_outcome(database: Database) -> None:
    async with database.transaction() as session:
        assert await schedule_store.claim(session, **KEY, owner="earlier", now=NOW)
    posts = [
        schedule_store.Post(**KEY, status="queued", deliveries=2),
        schedule_store.Post(**{**KEY, "target": "43"}, status="queued", deliveries=1),
        schedule_store.Post(**{**KEY, "target": "44"}, status="skipped", deliveries=0, detail="nothing to report"),
    ]
    async with database.transaction() as session:
        taken = await schedule_store.claim_many(session, posts=posts, owner="batch", now=NOW)
        again = await schedule_store.claim_many(session, posts=posts, owner="other", now=NOW)
    assert taken == {post.key for post in posts[1:]} and again == set()
    async with database.sessions() as session:
        claims = [await schedule_store.get_claim(session, **{**KEY, "target": target}) for target in ("42", "43", "44")]
    assert [(c.owner, c.status, c.deliveries, c.detail) for c in claims if c is not None] == [
        ("earlier", "claimed", 0, None),
        ("batch", "queued", 1, None),
        ("batch", "skipped", 0, "nothing to report"),
    ]
    assert all(c is not None and c.finished_at is not None for c in claims[1:])


@both_engines
@pytest.mark.parametrize("first_commits", [True, False])
async def test_a_concurrent_claim_waits_for_the_first_and_gets_the_key_only_if_it_rolled_back(
    database: Database, first_commits: bool
) -> None:
    url = database.url.render_as_string(hide_password=False)
    other = Database(url)
    holding = asyncio.Event()

    async def first() -> bool:
        try:
            async with database.transaction() as session:
                taken = await schedule_store.claim(session, **KEY, owner="first", now=NOW)
                holding.set()
                await asyncio.sleep(0.3)
                if not first_commits:
                    raise RuntimeError("crashed before queueing")
                return taken
        except RuntimeError:
            return False

    async def second() -> bool:
        await holding.wait()
        async with other.transaction() as session:
            return await schedule_store.claim(session, **KEY, owner="second", now=NOW)

    try:
        results = await asyncio.gather(first(), second())
    finally:
        await other.dispose()
    assert results == ([True, False] if first_commits else [False, True])
    async with database.sessions() as session:
        claim = await schedule_store.get_claim(session, **KEY)
    assert claim is not None and claim.owner == ("first" if first_commits else "second")


@both_engines
async def test_digest_aggregates_cover_every_team_of_a_batch_in_the_window(database: Database) -> None:
    since, until = NOW - timedelta(days=7), NOW
    async with database.transaction() as session:
        org = await seed(session)
        await give(session, org["Bob"], [org["Claire"], org["David"]], at=since, points=2, values=["teamwork"])
        await give(session, org["Claire"], [org["David"]], at=until - timedelta(seconds=1), values=["courage"])
        await give(session, org["Grace"], [org["Bob"]], at=until, message="next week")  # outside: until is excluded
        await give(session, org["Hugo"], [org["Grace"]], at=since - timedelta(days=10), message="long ago")
        ids = [org.teams["Engineering"].id or 0, org.teams["Sales"].id or 0]
        engineering, sales = ids
        tallies = await digest_store.kudos_tallies(session, team_ids=ids, since=since, until=until)
        givers = await digest_store.givers_per_team(session, team_ids=ids, since=since, until=until)
        values = await digest_store.top_values(session, team_ids=ids, since=since, until=until)
        picked = await digest_store.highlights(session, team_ids=ids, since=since, until=until, limit=1)
        quiet = await digest_store.unrecognised_members(session, team_ids=ids, since=until - timedelta(days=30))
        sizes = await digest_store.team_sizes(session, team_ids=ids)
    assert tallies[engineering] == digest_store.KudosTally(kudos=2, receivers=2, points=5)
    assert sales not in tallies
    assert givers == {engineering: 2}
    assert values == {engineering: [("courage", 1), ("teamwork", 1)]}
    (top,) = picked[engineering]
    assert top.points == 2 and top.recipient_ids == (org["Claire"].id, org["David"].id)
    assert engineering not in quiet  # Bob's kudos at `until` counts as recognition in the last 30 days
    assert [person.display_name for person in quiet[sales]] == ["Hugo Bernard"]
    assert sizes == {engineering: 3, sales: 2}
