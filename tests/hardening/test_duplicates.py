"""Every way a platform (or a person) can deliver the same thing twice counts once, through the real adapters:
Slack event retries (`X-Slack-Retry-Num`), a redelivered slash command, a double-clicked button, a modal submitted
twice, a Teams activity delivered again and an Adaptive Card submitted twice."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from storage.models import (
    Kudos,
    KudosRecipient,
    OutboxMessage,
    PulseAnswer,
    PulseComment,
    PulseRespondent,
    RewardOption,
)
from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo
from tests.bot.slack.test_pulse import ENGINEERING, button, current, tap
from tests.bot.teams.conftest import TeamsApp
from tests.conftest import both_engines
from tests.fakes import teams_activities as ta
from tests.fakes.slack_requests import (
    block_actions,
    event_callback,
    message_event,
    reaction_added_event,
    slash_command,
    view_submission,
)
from tests.hardening.support import count, import_people

ALICE, BOB = ta.teams_user("Alice Smith"), ta.teams_user("Bob Jones")


async def _points(bravo_db: Any) -> dict[int, int]:
    async with bravo_db.sessions() as session:
        rows = (await session.exec(select(KudosRecipient.recipient_id, KudosRecipient.points))).all()
    totals: dict[int, int] = {}
    for person, points in rows:
        totals[person] = totals.get(person, 0) + points
    return totals


@both_engines
async def test_slack_event_retries_count_once(bravo: SlackBravo) -> None:
    """A clap message and a clap reaction, each delivered then retried twice with the same event id."""
    message = event_callback(message_event("<@U2> :clap: :clap: great demo", user="U1"), event_id="EvMSG1")
    reaction = event_callback(reaction_added_event("clap", user="U3", item_user="U2"), event_id="EvREACT1")
    for delivery in (message, reaction):
        for retry in (None, 1, 2):
            status, _, _ = await bravo.post(delivery, retry_num=retry)
            assert status == 200
    await bravo.settle()
    assert await count(bravo.runtime.database, Kudos) == 2
    assert sorted((await _points(bravo.runtime.database)).values()) == [3]
    assert len(bravo.api.calls_to("chat.postEphemeral")) == 2
    assert len(bravo.posts_to(RECOGNITION_CHANNEL)) == 2 and len(bravo.posts_to("U2")) == 2


async def test_a_redelivered_slash_command_counts_once(bravo: SlackBravo) -> None:
    """The same trigger id twice: one kudos (the confirmation shown again), one proposed reward."""
    await import_people(bravo.runtime.database)
    kudos = slash_command("/kudos", "<@U2|bob> 2 thanks for the release", user_id="U1", trigger_id="111.1.kudos")
    propose = slash_command("/rewards", "propose 300 team lunch", user_id="U2", trigger_id="111.2.propose")
    for request in (kudos, propose):
        first = await bravo.post(request)
        again = await bravo.post(request, retry_num=1)
        assert first[0] == again[0] == 200
        if request is kudos:
            assert "3 points left" in first[1] and "3 points left" in again[1]
    assert await count(bravo.runtime.database, Kudos) == 1
    assert list((await _points(bravo.runtime.database)).values()) == [2]
    assert await count(bravo.runtime.database, RewardOption) == 1
    same = await bravo.post(slash_command("/rewards", "propose 300 Team Lunch!", user_id="U2"))
    assert same[0] == 200 and await count(bravo.runtime.database, RewardOption) == 1  # the same reward: one option
    another = await bravo.post(slash_command("/rewards", "propose 300 team dinner", user_id="U2"))
    assert another[0] == 200 and await count(bravo.runtime.database, RewardOption) == 2


async def test_a_double_clicked_pulse_button_counts_once(pulsed: SlackBravo) -> None:
    """The same answer button pressed twice (two clicks, two trigger ids) is one answer from one person."""
    user = ENGINEERING[0]
    args, response = current(pulsed, user)
    element = button(args, "9")
    posted = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": args["text"], "ts": response["ts"]}
    for _ in range(2):
        click = block_actions(
            element["action_id"], element["value"], user_id=user, channel_id=response["channel"], message=posted
        )
        status, body, _ = await pulsed.post(click)
        assert status == 200, body
    await pulsed.api.wait_for("chat.update", 2)
    async with pulsed.runtime.database.sessions() as session:
        answers = (await session.exec(select(PulseAnswer.value))).all()
        answered = (await session.exec(select(PulseRespondent))).all()
    assert list(answers) == [9] and len(answered) == 1
    assert "question 2 of 3" in json.dumps(current(pulsed, user)[0]["blocks"])


async def test_a_modal_submitted_twice_counts_once(pulsed: SlackBravo) -> None:
    """The kudos form and a pulse comment, each submitted twice with the same view id."""
    values = {
        "people": {"value": {"type": "multi_users_select", "selected_users": [ENGINEERING[1]]}},
        "points": {"value": {"type": "number_input", "value": "2"}},
        "values": {"value": {"type": "multi_static_select", "selected_options": []}},
        "message": {"value": {"type": "plain_text_input", "value": "Thanks for the pairing"}},
    }
    for _ in range(2):
        status, body, _ = await pulsed.post(
            view_submission("kudos.give", values, view_id="VKUDOS", user_id=ENGINEERING[0])
        )
        assert status == 200 and "2 points" in body
    assert await count(pulsed.runtime.database, Kudos) == 1

    user = ENGINEERING[2]
    await tap(pulsed, user, "6")
    await tap(pulsed, user, "Previous question")
    await tap(pulsed, user, "Add a comment")
    (opened,) = await pulsed.api.wait_for("views.open")
    view = opened.args["view"]
    (block,) = view["blocks"]
    comment = {block["block_id"]: {block["element"]["action_id"]: {"type": "plain_text_input", "value": "More focus"}}}
    for _ in range(2):
        submission = view_submission(
            "pulse.comment", comment, private_metadata=view["private_metadata"], view_id="VCOMMENT", user_id=user
        )
        assert (await pulsed.post(submission))[0] == 200
    async with pulsed.runtime.database.sessions() as session:
        assert list((await session.exec(select(PulseComment.text))).all()) == ["More focus"]


def _card_text(activity: dict[str, Any]) -> str:
    return json.dumps(activity["attachments"][0]["content"])


async def test_a_teams_activity_delivered_again_counts_once(teams_app: TeamsApp) -> None:
    connector = teams_app.connector
    connector.members = [
        ta.roster_member("Alice Smith", email="alice@acme.example"),
        ta.roster_member("Bob Jones", email="bob@acme.example"),
    ]
    await teams_app.import_people(
        ("alice@acme.example", "Alice Smith", "Engineering"), ("bob@acme.example", "Bob Jones", "Engineering")
    )
    activity = ta.personal_message(
        "kudos <at>Bob Jones</at> 2 thanks for the release",
        service_url=connector.service_url,
        from_user=ALICE,
        mentions=[BOB],
    )
    for _ in range(3):
        assert await teams_app.post(activity) == 201
    answers = await connector.wait_for_activities(3)  # each delivery gets the first confirmation
    assert len({_card_text(answer) for answer in answers}) == 1 and "You gave 2 points" in _card_text(answers[0])
    assert await count(teams_app.runtime.database, Kudos) == 1
    assert await count(teams_app.runtime.database, OutboxMessage) == 1  # Bob's notification, queued once


async def test_a_teams_card_submitted_twice_counts_once(teams_app: TeamsApp) -> None:
    """The kudos form's Action.Submit twice (two activities, same card and values), then the same Action.Execute."""
    connector = teams_app.connector
    url = connector.service_url
    connector.members = [
        ta.roster_member("Alice Smith", email="alice@acme.example"),
        ta.roster_member("Bob Jones", email="bob@acme.example"),
    ]
    await teams_app.import_people(
        ("alice@acme.example", "Alice Smith", "Engineering"), ("bob@acme.example", "Bob Jones", "Engineering")
    )
    assert await teams_app.post(ta.personal_message("kudos", service_url=url, from_user=ALICE)) == 201
    (form_message,) = await connector.wait_for_activities(1)
    form = form_message["attachments"][0]["content"]
    picker = next(item for item in form["body"] if item.get("choices.data"))
    value = {
        **form["actions"][0]["data"],
        picker["id"]: connector.members[1]["aadObjectId"],
        "bravo_input_points": "2",
        "bravo_input_message": "Thanks for the onboarding",
    }
    for _ in range(2):
        submit = ta.submit_message(value, service_url=url, from_user=ALICE, reply_to_id="1700000000009")
        assert await teams_app.post(submit) == 201
    for _ in range(2):
        invoke = ta.card_action_invoke(
            "kudos.give", value, service_url=url, from_user=ALICE, reply_to_id="1700000000009"
        )
        response = await teams_app.client.post("/api/messages", json=invoke)
        assert response.status == 200
    assert await count(teams_app.runtime.database, Kudos) == 1
    assert list((await _points(teams_app.runtime.database)).values()) == [2]
