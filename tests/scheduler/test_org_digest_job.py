"""The organisation digest goes to each admin at Monday 09:00 in the admin's own time zone and language, exactly once
per period, like the other digests; `digest send --now --kind org` and its dry run go through the same claims."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.digest import ORG_DIGEST
from handlers.policy import Policy
from scheduler import runs
from scheduler.runs import DRY_RUN
from storage import people as people_store
from storage.db import Database
from storage.models.schedule import QUEUED
from tests.conftest import both_engines
from tests.scheduler.support import Org, config, give, seed_database

ORG_ONLY = frozenset({ORG_DIGEST})
MONDAY_PARIS_NINE = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST
MONDAY_NEW_YORK_NINE = datetime(2026, 3, 30, 13, 0, tzinfo=UTC)  # 09:00 EDT


async def admins(database: Database, *names: str) -> Org:
    org = await seed_database(database, slack=True, channels=True)
    async with database.transaction() as session:
        for name in names:
            person = await people_store.get_person(session, person_id=org[name].id or 0)
            assert person is not None
            person.is_admin = True
            await people_store.save(session, person)
        await give(session, org["Bob"], [org["Claire"]], at=datetime(2026, 3, 27, 10, 0, tzinfo=UTC))
    return org


@both_engines
async def test_each_admin_gets_it_at_their_local_monday_nine_once(database: Database, policy: Policy) -> None:
    org = await admins(database, "Alice", "Noah")
    settings = config(platforms=("slack",))
    send = runs.send_digests
    early = await send(database, config=settings, policy=policy, now=MONDAY_PARIS_NINE, kinds=ORG_ONLY, owner="a")
    assert [(item.target, item.status) for item in early] == [(str(org["Alice"].id), QUEUED)]
    again = await send(database, config=settings, policy=policy, now=MONDAY_PARIS_NINE, kinds=ORG_ONLY, owner="b")
    assert again == []
    later = await send(database, config=settings, policy=policy, now=MONDAY_NEW_YORK_NINE, kinds=ORG_ONLY, owner="c")
    assert [(item.target, item.status) for item in later] == [(str(org["Noah"].id), QUEUED)]
    card = early[0].card
    assert card is not None and card.title == "Organisation digest"
    text = card.plain()
    assert "People recognised in the last 30 days: 1 of 5 (20%)." in text
    assert "Teams without kudos this month: Sales." in text


@both_engines
async def test_send_now_kind_org_and_dry_run_leave_the_other_digests_alone(database: Database, policy: Policy) -> None:
    org = await admins(database, "Claire")
    settings = config(platforms=("slack",))
    preview = await runs.send_digests(
        database, config=settings, policy=policy, now=MONDAY_PARIS_NINE, force=True, dry_run=True, kinds=ORG_ONLY
    )
    assert [(item.kind, item.status) for item in preview] == [(ORG_DIGEST, DRY_RUN)]
    card = preview[0].card
    assert card is not None and card.title == "Bilan de l'organisation"  # Claire reads French
    sent = await runs.send_digests(
        database, config=settings, policy=policy, now=MONDAY_PARIS_NINE, force=True, kinds=ORG_ONLY
    )
    assert [(item.kind, item.target, item.status, item.deliveries) for item in sent] == [
        (ORG_DIGEST, str(org["Claire"].id), QUEUED, 1)
    ]
    team_only = await runs.send_digests(
        database, config=settings, policy=policy, now=MONDAY_PARIS_NINE, force=True, team_name="Sales"
    )
    assert ORG_DIGEST not in {item.kind for item in team_only}


@both_engines
async def test_no_organisation_digest_when_switched_off(database: Database, policy: Policy) -> None:
    await admins(database, "Alice")
    settings = config(platforms=("slack",), org_digest=None)
    assert (
        await runs.send_digests(database, config=settings, policy=policy, now=MONDAY_PARIS_NINE, kinds=ORG_ONLY) == []
    )
