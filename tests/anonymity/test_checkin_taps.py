"""A check-in tap writes nothing about the tapper, as a pulse tap does: four weeks after the team's action was done,
`bravo actions tick` asks the seven members "did it help?" through the real adapters; each answers while an admin
reads the whole database before and after every tap. The difference must not name or point to the tapper; once
everyone has answered, the next tick closes the check-in and the team gets the counts, and only the counts.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from storage.models import ActionPlan, ActionProposal, Person, Team
from storage.models.actions import DONE
from storage.models.base import utcnow
from tests.anonymity.slack_team import SlackTeam
from tests.anonymity.support import Reader, diff, naming, no_leak, summary
from tests.anonymity.taps import ORDER, TEAM
from tests.anonymity.teams_team import TeamsTeam
from tests.conftest import both_engines

# Yes (2), somewhat (1) or no (0) for each member, tapped in ORDER.
HELPED = ["2", "1", "2", "0", "2", "1", "2"]


async def done_four_weeks_ago(team: SlackTeam | TeamsTeam) -> None:
    """The team's action plan, and one of its actions marked done just over four weeks ago."""
    now = utcnow()
    async with team.runtime.database.transaction() as session:
        platform = (await session.exec(select(Team).where(Team.name == TEAM))).one()
        owner = (await session.exec(select(Person).where(Person.team_id == platform.id))).first()
        assert owner is not None
        plan = ActionPlan(team_id=platform.id or 0, period="2026-10-06", driver="tools", score=3.0, vote_closes_at=now)
        session.add(plan)
        await session.flush()
        done = now - timedelta(days=team.runtime.policy.action_checkin_days, minutes=1)
        session.add(
            ActionProposal(
                plan_id=plan.id or 0,
                team_id=platform.id or 0,
                text="A wiki of the team's tools",
                owner_id=owner.id or 0,
                due_on=done.date(),
                status=DONE,
                committed_at=done - timedelta(days=10),
                done_at=done,
            )
        )


async def answer(team: SlackTeam | TeamsTeam, user: str, value: str) -> None:
    """Tap the check-in, the latest message Bravo sent the person."""
    if isinstance(team, SlackTeam):
        await team.tap(user, value, -1)
    else:
        await team.tap(user, value)


@both_engines
async def test_no_checkin_tap_writes_anything_that_names_the_tapper(team: SlackTeam | TeamsTeam) -> None:
    await done_four_weeks_ago(team)
    assert "1 check-in sent." in await team.cli("actions", "tick")
    if isinstance(team, TeamsTeam):
        team.follow_latest_cards()
    reader = Reader(team.runtime.database)
    findings: list[str] = []
    before = await reader.snapshot()
    for person in ORDER:
        user = team.users[person]
        await answer(team, user, HELPED[person])
        after = await reader.snapshot()
        findings.extend(naming(diff(before, after), team.identities[user]))
        before = after
    no_leak(summary(findings, len(ORDER), "taps"), "rows written by a check-in tap that name or point to the tapper:")
    assert "1 check-in result posted." in await team.cli("actions", "tick")
    [action] = json.loads(await team.cli("actions", "list", "--json"))["actions"]
    checkin = action["checkin"]
    assert (checkin["yes"], checkin["somewhat"], checkin["no"], checkin["answers"]) == (4, 2, 1, 7), checkin
