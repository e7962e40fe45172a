"""Action check-in queries on both engines: which done actions are due, one check-in per action, its outcome
announced once, and check-in rounds kept out of what the pulse report reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage import actions as store
from storage import people as people_store
from storage.db import Database
from storage.models import ActionCheckin, ActionPlan, ActionProposal, Person, Team
from storage.models.actions import COMMITTED, DONE
from storage.models.pulse import CHECKIN
from storage.pulse import rounds as pulse_store
from tests.conftest import both_engines

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def _seed(database: Database) -> tuple[int, list[int]]:
    """A team with one plan and three actions: done 30 days ago, done 10 days ago, still committed."""
    async with database.transaction() as session:
        team = Team(name="Engineering")
        session.add(team)
        await session.flush()
        owner = Person(display_name="Owner", email="owner@acme.test", team_id=team.id)
        await people_store.save(session, owner)
        plan = ActionPlan(team_id=team.id or 0, period="2026-10-20", driver="purpose", score=2.5, vote_closes_at=NOW)
        await store.save(session, plan)
        ids = []
        for text, status, done in (("Old", DONE, 30), ("Recent", DONE, 10), ("Open", COMMITTED, None)):
            proposal = ActionProposal(
                plan_id=plan.id or 0,
                team_id=team.id or 0,
                text=text,
                owner_id=owner.id or 0,
                due_on=date(2026, 11, 1),
                status=status,
                done_at=NOW - timedelta(days=done) if done else None,
            )
            await store.save(session, proposal)
            ids.append(proposal.id or 0)
        return team.id or 0, ids


@both_engines
async def test_due_checkins_are_stored_once_and_announced_once(database: Database) -> None:
    team_id, (old, recent, _open) = await _seed(database)
    async with database.transaction() as session:
        due = await store.done_without_checkin(session, since=NOW - timedelta(days=60), until=NOW - timedelta(days=28))
        assert [item.id for item in due] == [old]
        checkin = await pulse_store.create_round(
            session,
            team_id=team_id,
            period=f"checkin-{old}",
            opened_at=NOW,
            closes_at=NOW + timedelta(days=7),
            remind_at=NOW + timedelta(days=3),
            kind=CHECKIN,
            subject="Old",
        )
        assert checkin is not None and checkin.kind == CHECKIN and checkin.subject == "Old"
        row = ActionCheckin(proposal_id=old, team_id=team_id, round_id=checkin.id, driver="purpose", created_at=NOW)
        assert await store.add_checkin(session, checkin=row)
        assert not await store.add_checkin(session, checkin=row)  # another run stored it first
        assert await store.done_without_checkin(session, since=NOW - timedelta(days=60), until=NOW) == [
            await store.get_proposal(session, proposal_id=recent)
        ]
        assert await store.checkins_to_announce(session) == []  # still open
        assert await pulse_store.all_rounds(session) == []  # the pulse report never reads a check-in
        assert [item.id for item in await pulse_store.all_rounds(session, kind=CHECKIN)] == [checkin.id]
        assert await pulse_store.open_rounds(session, kind="pulse") == []
        assert await pulse_store.claim_close(session, round_id=checkin.id or 0)
    async with database.transaction() as session:
        [closed] = await store.checkins_to_announce(session)
        assert closed.proposal_id == old
        assert await store.claim_announcement(session, proposal_id=old, now=NOW)
        assert not await store.claim_announcement(session, proposal_id=old, now=NOW)
    async with database.sessions() as session:
        assert await store.checkins_to_announce(session) == []
        found = await store.checkins_of(session, proposal_ids=[old, recent])
    assert list(found) == [old] and found[old].announced_at == NOW
