"""People from another organisation in a Slack Connect channel can neither give nor receive kudos. Slack marks them
(`is_stranger`, or a `team_id` that is neither this workspace nor one of its Enterprise Grid organisation's); signed
requests into `/slack/events`, users answered by the local fake Web API."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from storage import people as people_store
from storage.models import Kudos, KudosRecipient
from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo
from tests.fakes.slack_requests import event_callback, reaction_added_event, slash_command
from tests.fakes.slack_workspace import make_user

PARTNER = "U9PARTNER"  # from a partner company, in a shared channel
STRANGER = "U9STRANGER"  # from an organisation this one is not even connected to


def partners(bravo: SlackBravo) -> None:
    bravo.api.users[PARTNER] = make_user(PARTNER, "pat", real_name="Pat Partner", team_id="T9OTHER", locale="fr-FR")
    bravo.api.users[STRANGER] = {**make_user(STRANGER, "sam", real_name="Sam Stranger"), "is_stranger": True}


async def kudos(bravo: SlackBravo, text: str, *, user: str = "U1") -> str:
    status, body, _ = await bravo.post(slash_command("/kudos", text, user_id=user, channel_id="CSHARED"))
    assert status == 200, body
    answer: dict[str, Any] = json.loads(body) if body else {}
    return answer.get("text", "") + json.dumps(answer.get("blocks", []), ensure_ascii=False)


async def slack_ids_of_people(bravo: SlackBravo) -> set[str | None]:
    async with bravo.runtime.database.sessions() as session:
        return {person.slack_id for person in await people_store.all_people(session)}


async def test_someone_from_another_organisation_cannot_give_kudos(bravo: SlackBravo) -> None:
    partners(bravo)
    shown = await kudos(bravo, "<@U2|bob> merci pour la démo", user=PARTNER)
    assert "ne peuvent ni en donner ni en recevoir" in shown
    status, _, _ = await bravo.post(event_callback(reaction_added_event("clap", user=STRANGER, channel="CSHARED")))
    assert status == 200
    (notice,) = await bravo.api.wait_for("chat.postEphemeral")
    assert notice.args["user"] == STRANGER and "neither give nor receive" in notice.args["text"]
    await bravo.drain()
    async with bravo.runtime.database.sessions() as session:
        assert (await session.exec(select(Kudos))).all() == []
    assert {PARTNER, STRANGER}.isdisjoint(await slack_ids_of_people(bravo))
    assert bravo.api.calls_to("chat.postMessage") == []


async def test_someone_from_another_organisation_cannot_receive_kudos(bravo: SlackBravo) -> None:
    partners(bravo)
    alone = await kudos(bravo, f"<@{PARTNER}|pat> thanks for the demo")
    assert "Who do you want to recognise?" in alone and "No kudos for Pat Partner, from another organisation" in alone
    both = await kudos(bravo, f"<@U2|bob> <@{STRANGER}|sam> thanks for the demo")
    assert "You gave 1 point to @Bob Smith" in both and "No kudos for Sam Stranger" in both
    bravo.api.usergroups["S1"] = ["U1", "U3", PARTNER]
    assert "You gave 1 point to @Claire Petit." in await kudos(bravo, "<!subteam^S1|@design> thanks for the mockups")
    await bravo.drain()
    async with bravo.runtime.database.sessions() as session:
        rows = (await session.exec(select(KudosRecipient))).all()
    assert len(rows) == 2 and {PARTNER, STRANGER}.isdisjoint(await slack_ids_of_people(bravo))
    assert bravo.posts_to(PARTNER) == [] and bravo.posts_to(STRANGER) == []
    assert "Pat" not in json.dumps(bravo.posts_to(RECOGNITION_CHANNEL), ensure_ascii=False)


async def test_a_colleague_from_another_workspace_of_the_same_organisation_is_one_of_us(bravo: SlackBravo) -> None:
    """Enterprise Grid: another workspace of Bravo's own organisation is not another organisation."""
    home = bravo.api.workspace.defaults["auth.test"]
    bravo.api.workspace.defaults["auth.test"] = lambda args: {**home(args), "enterprise_id": "E1"}
    colleague = make_user("W7", "lou", real_name="Lou Lyon", team_id="T7LYON")
    bravo.api.users["W7"] = {**colleague, "enterprise_user": {"enterprise_id": "E1", "teams": ["T1", "T7LYON"]}}
    assert "You gave 1 point to @Lou Lyon" in await kudos(bravo, "<@W7|lou> thanks for the hand-over")
