"""The organisation digest counts the team actions committed and done in its window, from the action plans."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handlers.digest.org_data import ActionPlanCounts, action_plan_counts
from storage.db import Database
from storage.models import ActionPlan, ActionProposal
from storage.models.actions import COMMITTED, DONE
from tests.handlers.pulse.test_support import seed_org


async def test_actions_committed_and_done_in_the_window_are_counted(database: Database, now: datetime) -> None:
    since, until = now - timedelta(days=7), now
    async with database.transaction() as session:
        assert await action_plan_counts(session, since=since, until=until) is None
        members = await seed_org(session, {"Ops": 5})
        owner = members["Ops"][0]
        plan = ActionPlan(team_id=owner.team_id or 0, period="2026-11-30", driver="tools", vote_closes_at=now)
        session.add(plan)
        await session.flush()
        for status, committed, done in (
            (COMMITTED, now - timedelta(days=1), None),  # started this week
            (DONE, now - timedelta(days=2), now - timedelta(hours=3)),  # started and done this week
            (DONE, now - timedelta(days=30), now - timedelta(days=20)),  # both before the window
        ):
            session.add(
                ActionProposal(
                    plan_id=plan.id or 0,
                    team_id=owner.team_id or 0,
                    text="Weekly tools clinic",
                    owner_id=owner.id or 0,
                    due_on=date(2026, 12, 31),
                    status=status,
                    committed_at=committed,
                    done_at=done,
                    created_at=committed,
                )
            )
    async with database.sessions() as session:
        assert await action_plan_counts(session, since=since, until=until) == ActionPlanCounts(started=2, done=1)
