"""Hostile requests at the two public endpoints: signed random Slack payloads and command text, random Teams
activities, and oversized bodies. None gets a 5xx or logs an unhandled error; commands always get an answer."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import MAX_BODY_BYTES
from bot.slack.http import SLACK_PATH
from handlers.routing import action_table, form_table
from tests.bot.slack.conftest import SECRET, SlackBravo
from tests.bot.teams.conftest import TeamsApp
from tests.fakes import teams_activities as ta
from tests.fakes.slack_requests import FORM, JSON, sign, slash_command
from tests.hardening.strategies import JSON as ANY_JSON
from tests.hardening.strategies import SLACK_TEXT, TEXT, fuzz, pieces, shaped
from tests.hardening.test_injection import unpaced

FUZZ = fuzz()
ALICE = ta.teams_user("Alice Smith")
SLACK_USERS = st.sampled_from(["U1", "U2", "U3", "UBOT2", "U999", "", "W1"])
BRAVO_ACTIONS = st.sampled_from(sorted({*action_table(), *form_table(), "kudos_message", "kudos_global", "x"}))


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{record.name}: {record.getMessage()}" for record in caplog.records if record.levelno >= logging.ERROR]


async def post_signed(bravo: SlackBravo, body: str, content_type: str) -> tuple[int, str]:
    headers = {"Content-Type": content_type, **sign(body, SECRET)}
    response = await bravo.client.post(SLACK_PATH, data=body.encode(), headers=headers)
    return response.status, await response.text()


@FUZZ
@given(
    command=st.sampled_from(["/kudos", "/pulse", "/rewards", "/help", "/bravo"]),
    text=SLACK_TEXT,
    user=st.sampled_from(["U1", "U2", "U3"]),
)
async def test_any_slash_command_text_is_answered(
    bravo: SlackBravo, caplog: pytest.LogCaptureFixture, command: str, text: str, user: str
) -> None:
    caplog.set_level(logging.WARNING)
    caplog.clear()
    forms = len(bravo.api.calls_to("views.open"))
    status, body, _ = await bravo.post(slash_command(command, text, user_id=user))
    assert status == 200, body
    if body:
        assert str(json.loads(body).get("text", "")).strip(), body
    else:  # `/kudos` with nothing to read (only markup that means nothing) opens the kudos form
        assert command == "/kudos" and len(await bravo.api.wait_for("views.open", forms + 1)) == forms + 1
    assert errors_logged(caplog) == []


EVENT = shaped(
    {
        "type": st.sampled_from(["message", "reaction_added", "reaction_removed", "app_home_opened", "app_mention"]),
        "user": SLACK_USERS,
        "text": SLACK_TEXT,
        "channel": st.sampled_from(["C1", "D1", "", "C_KUDOS"]),
        "channel_type": st.sampled_from(["im", "channel", "group"]),
        "subtype": st.sampled_from(["bot_message", "message_changed", "thread_broadcast", "file_share"]),
        "ts": st.sampled_from(["1700000000.000100", "x", ""]),
        "reaction": st.sampled_from(["clap", "clap::skin-tone-2", "tada", ""]),
        "item": shaped({"type": st.just("message"), "channel": st.just("C1"), "ts": TEXT}),
        "item_user": SLACK_USERS,
        "tab": st.sampled_from(["home", "messages"]),
    }
)
ENVELOPE = shaped(
    {
        "type": st.sampled_from(["event_callback", "url_verification", "app_rate_limited"]),
        "event": EVENT,
        "event_id": TEXT,
        "team_id": st.just("T1"),
        "challenge": TEXT,
        "authorizations": st.just([{"user_id": "UBOT", "team_id": "T1", "is_bot": True}]),
    }
)
INTERACTION = shaped(
    {
        "type": st.sampled_from(["block_actions", "view_submission", "view_closed", "shortcut", "message_action"]),
        "user": shaped({"id": SLACK_USERS, "team_id": st.just("T1")}),
        "team": st.just({"id": "T1"}),
        "trigger_id": TEXT,
        "callback_id": BRAVO_ACTIONS,
        "actions": st.lists(shaped({"action_id": BRAVO_ACTIONS, "value": pieces(), "type": st.just("button")})),
        "view": shaped(
            {
                "id": TEXT,
                "type": st.just("modal"),
                "callback_id": BRAVO_ACTIONS,
                "private_metadata": pieces(),
                "state": st.just(
                    {"values": {"people": {"value": {"type": "multi_users_select", "selected_users": ["U2"]}}}}
                ),
            }
        ),
        "container": shaped({"type": st.sampled_from(["message", "view"]), "channel_id": st.just("C1")}),
        "channel": st.just({"id": "C1"}),
        "message": shaped({"user": SLACK_USERS, "text": SLACK_TEXT, "ts": TEXT}),
    }
)


@FUZZ
@given(
    body=st.one_of(
        ENVELOPE.map(lambda data: (json.dumps(data), JSON)),
        INTERACTION.map(lambda data: (urlencode({"payload": json.dumps(data)}), FORM)),
        st.dictionaries(TEXT, TEXT, max_size=6).map(lambda data: (urlencode(data), FORM)),
        ANY_JSON.map(lambda data: (json.dumps(data), JSON)),
        st.tuples(TEXT, st.sampled_from([JSON, FORM, "text/plain"])),
    )
)
async def test_signed_random_payloads_never_break_slack_events(
    bravo: SlackBravo, caplog: pytest.LogCaptureFixture, body: tuple[str, str]
) -> None:
    caplog.set_level(logging.WARNING)
    caplog.clear()
    status, text = await post_signed(bravo, *body)
    assert status < 500, text
    assert errors_logged(caplog) == []


ACCOUNT = shaped({"id": st.sampled_from([ta.teams_user("Alice Smith")["id"], "", "29:x", ta.BOT_ID]), "name": TEXT})
ACTIVITY = shaped(
    {
        "type": st.sampled_from(["message", "invoke", "conversationUpdate", "installationUpdate", "typing", "event"]),
        "id": TEXT,
        "text": pieces(st.sampled_from(["kudos", "<at>Bob Jones</at>", "<at>Bravo</at>", "pulse", "me", "help"])),
        "from": ACCOUNT,
        "recipient": ACCOUNT,
        "conversation": shaped(
            {
                "id": st.sampled_from(["a:1", ta.CHANNEL_ID, f"{ta.CHANNEL_ID};messageid=1", ""]),
                "conversationType": st.sampled_from(["personal", "channel", "groupChat", "other"]),
                "isGroup": st.booleans(),
                "tenantId": st.just(ta.TENANT_ID),
            }
        ),
        "entities": st.lists(
            shaped(
                {
                    "type": st.sampled_from(["mention", "clientInfo"]),
                    "mentioned": ACCOUNT,
                    "text": st.sampled_from(["<at>Bob Jones</at>", "<at></at>", ""]),
                }
            ),
            max_size=3,
        ),
        "value": st.one_of(
            shaped(
                {
                    "action": st.one_of(BRAVO_ACTIONS, shaped({"verb": BRAVO_ACTIONS, "data": ANY_JSON})),
                    "value": pieces(),
                    "bravo_form": BRAVO_ACTIONS,
                    "bravo_metadata": pieces(),
                    "bravo_input_message": pieces(),
                    "bravo_input_points": TEXT,
                    "bravo_people_people": ANY_JSON,
                    "bravo_multi_values": ANY_JSON,
                }
            ),
            ANY_JSON,
        ),
        "name": st.sampled_from(["adaptiveCard/action", "composeExtension/query", "task/fetch", ""]),
        "replyToId": TEXT,
        "locale": st.sampled_from(["fr-FR", "en-US", "xx", "", "fr"]),
        "channelData": shaped({"tenant": st.just({"id": ta.TENANT_ID}), "team": shaped({"id": TEXT})}),
        "membersAdded": st.lists(ACCOUNT, max_size=2),
    }
)


@FUZZ
@given(activity=ACTIVITY)
async def test_random_activities_never_break_teams(
    teams_app: TeamsApp, caplog: pytest.LogCaptureFixture, activity: dict[str, Any]
) -> None:
    """Only the local Bot Connector is ever a service URL: a fuzzed activity cannot send Bravo elsewhere."""
    caplog.set_level(logging.WARNING)
    caplog.clear()
    activity = {**activity, "serviceUrl": teams_app.connector.service_url, "channelId": "msteams"}
    response = await teams_app.client.post("/api/messages", json=activity)
    assert response.status < 500, await response.text()
    assert errors_logged(caplog) == []


def test_the_body_limit_is_a_quarter_of_a_mebibyte() -> None:
    assert MAX_BODY_BYTES == 256 * 1024


async def test_an_oversized_slack_body_is_refused_with_413(bravo: SlackBravo) -> None:
    big = "text=" + "a" * (MAX_BODY_BYTES + 1)
    status, _ = await post_signed(bravo, big, FORM)
    assert status == 413
    status, _ = await post_signed(bravo, slash_command("/help", "x" * 100_000)[0], FORM)
    assert status == 200


async def test_an_oversized_teams_body_is_refused_with_413(teams_app: TeamsApp) -> None:
    activity = ta.personal_message("x" * (MAX_BODY_BYTES + 1), service_url=teams_app.connector.service_url)
    response = await teams_app.client.post("/api/messages", json=activity)
    assert response.status == 413
    just_under = ta.personal_message("help " + "x" * 1000, service_url=teams_app.connector.service_url)
    assert await teams_app.post(just_under) == 201


@FUZZ
@given(
    text=pieces(st.sampled_from(["kudos", "pulse", "results", "me", "help", "leaderboard", "<at>Bravo</at>", "+3"])),
    locale=st.sampled_from(["fr-FR", "en-US"]),
)
async def test_any_teams_message_is_answered(
    teams_app: TeamsApp, caplog: pytest.LogCaptureFixture, text: str, locale: str
) -> None:
    caplog.set_level(logging.WARNING)
    caplog.clear()
    unpaced(teams_app)
    connector = teams_app.connector
    before = len(connector.activities)
    message = ta.personal_message(text, service_url=connector.service_url, from_user=ALICE, locale=locale)
    assert await teams_app.post(message) == 201
    (answer,) = (await connector.wait_for_activities(before + 1))[before:]
    assert answer["attachments"] or answer.get("text")
    assert errors_logged(caplog) == []
