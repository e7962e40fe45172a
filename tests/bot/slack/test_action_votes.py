"""A team action vote tapped in Slack: in the team's channel the card stays as everyone sees it and the voter is
answered alone; in a direct message the card is updated in place."""

from __future__ import annotations

import json
from datetime import date, timedelta

from storage import actions as actions_store
from storage import people as people_store
from storage.models import ActionPlan, ActionProposal, Team
from storage.models.base import utcnow
from tests.bot.slack.conftest import SlackBravo
from tests.fakes.slack_requests import block_actions


async def _vote_value(bravo: SlackBravo) -> str:
    """Alice (U1), alone in a team with a plan still voting and one proposal; the vote button's value (her vote is
    a majority, so it decides)."""
    async with bravo.runtime.database.transaction() as session:
        team = Team(name="Engineering", slack_channel="CTEAM")
        await people_store.save(session, team)
        alice = await people_store.person_by_slack_id(session, slack_id="U1")
        if alice is None:
            from storage.models import Person

            alice = Person(display_name="Alice Martin", slack_id="U1", email="alice@acme.test")
        alice.team_id = team.id
        await people_store.save(session, alice)
        plan = ActionPlan(
            team_id=team.id or 0,
            period="2026-W47",
            driver="tools",
            score=3.0,
            vote_closes_at=utcnow() + timedelta(days=7),
        )
        await actions_store.save(session, plan)
        proposal = ActionProposal(
            plan_id=plan.id or 0,
            team_id=team.id or 0,
            text="Fix the build",
            owner_id=alice.id or 0,
            due_on=date.today() + timedelta(days=14),
        )
        await actions_store.save(session, proposal)
    return f"{plan.id}:{proposal.id}"


def _posted() -> dict[str, object]:
    return {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": "vote", "ts": "1700000000.000100"}


async def test_a_vote_in_the_team_channel_keeps_the_card_and_answers_the_voter_alone(bravo: SlackBravo) -> None:
    value = await _vote_value(bravo)
    request = block_actions("actions.vote|0", value, user_id="U1", channel_id="CTEAM", message=_posted())
    status, _, _ = await bravo.post(request)
    assert status == 200
    (call,) = await bravo.api.wait_for("chat.postEphemeral")
    assert call.args["user"] == "U1" and call.args["channel"] == "CTEAM"
    assert "Decided: Fix the build is now one of the team" in json.dumps(call.args["blocks"])
    assert bravo.api.calls_to("chat.update") == []


async def test_a_vote_in_a_direct_message_updates_that_card(bravo: SlackBravo) -> None:
    value = await _vote_value(bravo)
    request = block_actions("actions.vote|0", value, user_id="U1", channel_id="DU1", message=_posted())
    status, _, _ = await bravo.post(request)
    assert status == 200
    (call,) = await bravo.api.wait_for("chat.update")
    assert call.args["channel"] == "DU1" and "Decided: Fix the build is now one of the team" in json.dumps(
        call.args["blocks"]
    )
