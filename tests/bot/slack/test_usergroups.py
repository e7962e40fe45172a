"""`/kudos @platform-team`: a Slack user group reaches whoever is in it now (asked of Slack, kept a minute), whatever
their directory team, never the giver or a bot; sent as Slack sends it, answered from the local fake Web API."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.slack.http import SLACK_BOT_KEY
from storage import people as people_store
from storage.models import KudosRecipient, Person, Team
from storage.models.base import utcnow
from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo
from tests.conftest import both_engines
from tests.fakes.slack_requests import slash_command

GROUP = "<!subteam^S1|@platform-team>"


async def kudos(bravo: SlackBravo, text: str, *, user: str = "U1") -> str:
    status, body, _ = await bravo.post(slash_command("/kudos", text, user_id=user))
    assert status == 200, body
    answer: dict[str, Any] = json.loads(body)
    return answer.get("text", "") + json.dumps(answer.get("blocks", []), ensure_ascii=False)


async def directory(bravo: SlackBravo) -> dict[str, Team]:
    """Bob in Engineering and Claire in Sales, from the directory, before Slack ever mentions them."""
    async with bravo.runtime.database.transaction() as session:
        teams = {name: Team(name=name) for name in ("Engineering", "Sales")}
        for team in teams.values():
            await people_store.save(session, team)
        for email, name, team in (
            ("bob@acme.example", "Bob Smith", "Engineering"),
            ("claire@acme.example", "Claire Petit", "Sales"),
        ):
            await people_store.save(session, Person(email=email, display_name=name, team_id=teams[team].id))
    return teams


async def recipients(bravo: SlackBravo) -> list[tuple[str | None, int | None]]:
    async with bravo.runtime.database.sessions() as session:
        rows = (await session.exec(select(KudosRecipient))).all()
        people = {person.id: person for person in await people_store.all_people(session)}
    return sorted((people[row.recipient_id].slack_id, row.team_id) for row in rows)


@both_engines
async def test_a_group_reaches_every_member_whatever_their_directory_team(bravo: SlackBravo) -> None:
    teams = await directory(bravo)
    bravo.api.usergroups["S1"] = ["U1", "U2", "U3", "UBOT2"]
    shown = await kudos(bravo, f"{GROUP} thanks for the migration")
    assert "Nobody else" not in shown and "@Bob Smith and @Claire Petit" in shown
    await bravo.drain()
    assert await recipients(bravo) == [("U2", teams["Engineering"].id), ("U3", teams["Sales"].id)]
    assert len(bravo.posts_to("U2")) == 1 and len(bravo.posts_to("U3")) == 1
    assert bravo.posts_to("U1") == [] and bravo.posts_to("UBOT2") == []
    (post,) = bravo.posts_to(RECOGNITION_CHANNEL)
    assert "<@U2>" in json.dumps(post["blocks"]) and "<@U3>" in json.dumps(post["blocks"])


async def test_membership_is_asked_of_slack_again_once_a_minute_has_passed(bravo: SlackBravo) -> None:
    bravo.runtime.policy = replace(bravo.runtime.policy, daily_allowance=50)
    bot = bravo.app[SLACK_BOT_KEY]
    now = utcnow()
    bot.clock = lambda: now
    bravo.api.usergroups["S1"] = ["U2"]
    assert "@Bob Smith" in await kudos(bravo, f"{GROUP} thanks for the release")
    bravo.api.usergroups["S1"] = ["U3", "U4"]
    assert "@Bob Smith" in await kudos(bravo, f"{GROUP} thanks for the fix")
    assert len(bravo.api.calls_to("usergroups.users.list")) == 1
    bot.clock = lambda: now + timedelta(seconds=61)
    shown = await kudos(bravo, f"{GROUP} thanks for the docs")
    assert "@Claire Petit and @David Chen" in shown and "Bob" not in shown
    assert len(bravo.api.calls_to("usergroups.users.list")) == 2


async def test_a_group_of_only_the_giver_and_bots_is_explained(bravo: SlackBravo) -> None:
    bravo.api.usergroups["S1"] = ["U1", "UBOT2"]
    assert "Nobody else in platform-team can receive kudos yet." in await kudos(bravo, f"{GROUP} thanks all")
    await bravo.drain()
    assert await recipients(bravo) == [] and bravo.api.calls_to("chat.postMessage") == []
