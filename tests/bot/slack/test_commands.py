"""`/kudos` in all its forms, sent as Slack's slash-command form bodies; answers read from the acknowledgement."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import select

from bot.slack.http import SLACK_BOT_KEY
from storage import people as people_store
from storage.models import Kudos, KudosRecipient, Person, Team
from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo
from tests.conftest import both_engines
from tests.fakes.slack_requests import slash_command


async def kudos(bravo: SlackBravo, text: str, *, user: str = "U1") -> dict[str, Any]:
    status, body, _ = await bravo.post(slash_command("/kudos", text, user_id=user))
    assert status == 200, body
    return json.loads(body) if body else {}


def shown(answer: dict[str, Any]) -> str:
    return answer.get("text", "") + json.dumps(answer.get("blocks", []), ensure_ascii=False)


async def test_kudos_alone_opens_the_form_in_a_modal(bravo: SlackBravo) -> None:
    await kudos(bravo, "")
    (call,) = await bravo.api.wait_for("views.open")
    view = call.args["view"]
    assert call.args["trigger_id"] and view["type"] == "modal" and view["callback_id"] == "kudos.give"
    elements = {block["block_id"]: block["element"]["type"] for block in view["blocks"]}
    assert elements == {
        "people": "multi_users_select",
        "points": "number_input",
        "values": "multi_static_select",
        "message": "plain_text_input",
    }
    assert json.loads(view["private_metadata"]) == {"channel": "C1"}


async def test_help_me_and_leaderboard_answer_privately(bravo: SlackBravo) -> None:
    assert "/kudos leaderboard" in shown(await kudos(bravo, "help"))
    await kudos(bravo, "<@U2|bob> 3 thanks for the release #teamwork")
    await kudos(bravo, "<@U1|alice> thanks for the review", user="U2")
    me = shown(await kudos(bravo, "me"))
    assert "Given" in me and "3 points" in me and "2 of 5" in me and "thanks for the review" in me
    board = await kudos(bravo, "leaderboard month")
    assert board["response_type"] == "ephemeral" and "this month" in shown(board) and "Bob Smith" in shown(board)
    assert "Pick a period" in shown(await kudos(bravo, "leaderboard fortnight"))


async def test_the_people_ranking_can_be_turned_off(bravo: SlackBravo) -> None:
    await kudos(bravo, "<@U2|bob> thanks for the release")
    bravo.runtime.policy = replace(bravo.runtime.policy, show_people_leaderboard=False)
    board = shown(await kudos(bravo, "leaderboard"))
    assert "Bob Smith" not in board and "People" not in board


@both_engines
async def test_people_are_created_from_users_info_and_matched_to_the_directory(bravo: SlackBravo) -> None:
    async with bravo.runtime.database.transaction() as session:
        engineering = Team(name="Engineering")
        await people_store.save(session, engineering)
        await people_store.save(
            session, Person(email="bob@acme.example", display_name="Robert Smith", team_id=engineering.id)
        )
    await kudos(bravo, "<@U2|bob> thanks for the release")
    async with bravo.runtime.database.sessions() as session:
        people = {person.slack_id: person for person in await people_store.all_people(session)}
        recipient = (await session.exec(select(KudosRecipient))).one()
    assert set(people) == {"U1", "U2"}
    bob, alice = people["U2"], people["U1"]
    assert (bob.display_name, bob.email, bob.team_id) == ("Robert Smith", "bob@acme.example", engineering.id)
    assert (alice.display_name, alice.email, alice.timezone, alice.language) == (
        "Alice Martin",
        "alice@acme.example",
        "Europe/Paris",
        "en",
    )
    assert recipient.recipient_id == bob.id and recipient.team_id == engineering.id
    assert sorted(call.args["user"] for call in bravo.api.calls_to("users.info")) == ["U1", "U2"]
    await kudos(bravo, "<@U2|bob> thanks again")
    assert len(bravo.api.calls_to("users.info")) == 2


@both_engines
async def test_a_user_group_recognises_each_of_its_members_but_the_giver(bravo: SlackBravo) -> None:
    bravo.api.usergroups["S1"] = ["U1", "U2", "U3"]
    answer = await kudos(bravo, "<!subteam^S1|@platform> thanks for the migration #teamwork")
    assert "@Bob Smith and @Claire Petit" in shown(answer) and "3 points left" in shown(answer)
    await bravo.drain()
    async with bravo.runtime.database.sessions() as session:
        people = {person.slack_id: person for person in await people_store.all_people(session)}
        recipients = list((await session.exec(select(KudosRecipient))).all())
    assert {recipient.recipient_id for recipient in recipients} == {people["U2"].id, people["U3"].id}
    assert len(bravo.posts_to("U2")) == 1 and len(bravo.posts_to("U3")) == 1 and bravo.posts_to("U1") == []
    (post,) = bravo.posts_to(RECOGNITION_CHANNEL)
    assert "<@U2>" in json.dumps(post["blocks"]) and "<!subteam" not in json.dumps(post)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U2|bob> thanks #temwork", "Did you mean #teamwork?"),
        ("<@U2|bob> thanks #banana", "Pick from: #"),
        ("<@U2|bob>", "needs a reason"),
        ("<@U2|bob> " + "x" * 600, "600 characters"),
        ("<@UBOT2|deploybot> thanks for deploying", "is a bot"),
        ("thanks everyone", "Who do you want to recognise?"),
        ("<@U2|bob> 9 thanks", "from 1 to 5"),
    ],
)
async def test_each_rule_explains_itself_and_changes_nothing(bravo: SlackBravo, text: str, expected: str) -> None:
    answer = await kudos(bravo, text)
    assert answer["response_type"] == "ephemeral" and expected in shown(answer)
    await bravo.drain()
    assert bravo.api.calls_to("chat.postMessage") == []
    async with bravo.runtime.database.sessions() as session:
        assert (await session.exec(select(Kudos))).all() == []


async def test_french_speakers_read_bravo_in_french(bravo: SlackBravo) -> None:
    first = await kudos(bravo, "help", user="U3")
    assert "/kudos leaderboard" in shown(first), "someone new is answered at once, in Bravo's language"
    await bravo.app[SLACK_BOT_KEY].enricher.drain()
    answer = await kudos(bravo, "<@U1|alice> merci pour la revue #teamwork", user="U3")
    assert "Vous avez donné 1 point à" in shown(answer) and "Il vous reste 4 points" in shown(answer)
    await kudos(bravo, "<@U3|claire> thanks for the help")
    await bravo.drain()
    (dm,) = bravo.posts_to("U3")
    assert "Vous avez reçu des kudos" in json.dumps(dm["blocks"], ensure_ascii=False)
    (post, _) = bravo.posts_to(RECOGNITION_CHANNEL)
    assert "recognised" in json.dumps(post["blocks"])


async def test_a_retried_command_with_the_same_trigger_counts_once(bravo: SlackBravo) -> None:
    request = slash_command("/kudos", "<@U2|bob> thanks for the release", user_id="U1", trigger_id="13345.1.abc")
    first = await bravo.post(request)
    again = await bravo.post(request, retry_num=1)
    assert "4 points left" in first[1] and "4 points left" in again[1]
    async with bravo.runtime.database.sessions() as session:
        assert len((await session.exec(select(Kudos))).all()) == 1


async def test_other_commands_are_routed_to_the_core(bravo: SlackBravo) -> None:
    status, body, _ = await bravo.post(slash_command("/help", "", user_id="U1"))
    assert status == 200 and "/kudos" in body
    status, body, _ = await bravo.post(slash_command("/nonsense", "", user_id="U1"))
    assert status == 200 and "/help" in body


@both_engines
async def test_a_burst_of_kudos_is_given_together_each_answered_as_if_alone(bravo: SlackBravo) -> None:
    """Concurrent commands share transactions (group commit); allowances, retries and answers stay per request."""
    burst = [
        slash_command("/kudos", "<@U2|bob> 2 thanks for the release", user_id="U1", trigger_id="t-1"),
        slash_command("/kudos", "<@U2|bob> 2 thanks for the release", user_id="U1", trigger_id="t-1"),
        slash_command("/kudos", "<@U3|claire> 2 thanks for the review", user_id="U1", trigger_id="t-2"),
        slash_command("/kudos", "<@U3|claire> 2 thanks for the docs", user_id="U1", trigger_id="t-3"),
        slash_command("/kudos", "<@U1|alice> thanks for the coffee", user_id="U4", trigger_id="t-4"),
        slash_command("/kudos", "<@U1|alice> thanks #nonsense", user_id="U2", trigger_id="t-5"),
    ]
    answers = await asyncio.gather(*(bravo.post(body) for body in burst))
    assert all(status == 200 for status, _, _ in answers)
    texts = [shown(json.loads(body)) for _, body, _ in answers]
    assert texts[0] == texts[1]
    assert sum("needs 2 points" in text for text in texts[:4]) == 1  # U1 had 5 points: two kudos of 2 fit
    assert "You gave" in texts[4]
    assert "not one of our values" in texts[5]
    async with bravo.runtime.database.sessions() as session:
        kudos_rows = (await session.exec(select(Kudos))).all()
        points = sum(row.points for row in (await session.exec(select(KudosRecipient))).all())
    assert len(kudos_rows) == 3 and points == 5
    assert len({row.idempotency_key for row in kudos_rows}) == 3
    await bravo.drain()
    assert len(bravo.posts_to(RECOGNITION_CHANNEL)) == 3
