"""Self-tests proving the fakes behave like the real services as seen by the real client libraries."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.schema import Activity
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes import slack_requests as sr
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_workspace import make_user

TOKEN = "xoxb-test-token"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def _client(api: FakeSlackApi, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=api.base_url, **kwargs)


@pytest.mark.asyncio
async def test_post_message_is_recorded_with_decoded_blocks() -> None:
    async with FakeSlackApi() as api:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Kudos!*"}}]
        resp = await _client(api).chat_postMessage(channel="C1", text="hi", blocks=blocks)
        assert resp["ok"] and resp["channel"] == "C1" and resp["message"]["blocks"] == blocks
        (call,) = api.calls_to("chat.postMessage")
        assert call.args["blocks"] == blocks and call.args["text"] == "hi"
        assert call.headers["authorization"] == f"Bearer {TOKEN}" and not call.failed
        second = await _client(api).chat_postMessage(channel="U2", text="dm")
        assert second["channel"] == "DU2" and float(second["ts"]) > float(resp["ts"])


@pytest.mark.asyncio
async def test_form_encoded_json_fields_and_directory_methods() -> None:
    async with FakeSlackApi() as api:
        api.users["U2"] = make_user("U2", "bob", email="bob@acme.example", tz="Asia/Tokyo")
        api.usergroups["S1"] = ["U2"]
        client = _client(api)
        await client.api_call("chat.postMessage", data={"channel": "C1", "blocks": json.dumps([{"type": "divider"}])})
        assert api.calls_to("chat.postMessage")[0].args["blocks"] == [{"type": "divider"}]
        info = await client.users_info(user="U2")
        assert info["user"]["profile"]["email"] == "bob@acme.example" and info["user"]["tz"] == "Asia/Tokyo"
        assert (await client.users_lookupByEmail(email="BOB@acme.example"))["user"]["id"] == "U2"
        assert (await client.conversations_open(users="U2"))["channel"]["id"] == "DU2"
        assert (await client.usergroups_users_list(usergroup="S1"))["users"] == ["U2"]
        assert (await client.auth_test())["user_id"] == "UBOT"
        with pytest.raises(SlackApiError) as err:
            await client.users_info(user="U404")
        assert err.value.response["error"] == "user_not_found"


@pytest.mark.asyncio
async def test_missing_token_is_not_authed() -> None:
    async with FakeSlackApi() as api, aiohttp.ClientSession() as session:
        async with session.post(f"{api.base_url}chat.postMessage", data={"channel": "C1", "text": "x"}) as resp:
            assert (await resp.json()) == {"ok": False, "error": "not_authed"}
        assert api.calls_to("chat.postMessage")[0].failed


@pytest.mark.asyncio
async def test_injected_429_reaches_the_client_with_retry_after() -> None:
    async with FakeSlackApi() as api:
        api.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=7)
        with pytest.raises(SlackApiError) as err:
            await _client(api).chat_postMessage(channel="C1", text="x")
        assert err.value.response.status_code == 429
        assert err.value.response.headers["Retry-After"] == "7"
        assert (await _client(api).chat_postMessage(channel="C1", text="x"))["ok"]
        assert [c.failed for c in api.calls_to("chat.postMessage")] == [True, False]


@pytest.mark.asyncio
async def test_delay_makes_client_time_out_and_shutdown_stays_fast() -> None:
    started = time.monotonic()
    async with FakeSlackApi() as api:
        api.delay("chat.postMessage", 30)
        with pytest.raises((asyncio.TimeoutError, aiohttp.ClientError)):
            await _client(api, timeout=1).chat_postMessage(channel="C1", text="slow")
        await api.wait_for("chat.postMessage", 1)
    assert time.monotonic() - started < 5


@pytest.mark.asyncio
async def test_rate_limiter_rejects_second_immediate_post_to_same_channel() -> None:
    async with FakeSlackApi(post_message_per_channel_per_sec=1.0) as api:
        client = _client(api)
        await client.chat_postMessage(channel="C1", text="one")
        with pytest.raises(SlackApiError) as err:
            await client.chat_postMessage(channel="C1", text="two")
        assert err.value.response.status_code == 429 and err.value.response["error"] == "ratelimited"
        assert int(err.value.response.headers["Retry-After"]) >= 1
        await client.chat_postMessage(channel="C2", text="other channel is fine")
        assert api.rate_limited == 1


@pytest.mark.asyncio
async def test_responses_for_override_and_wait_for_timeout_message() -> None:
    async with FakeSlackApi() as api:

        @api.responses_for("conversations.info")
        def _info(args: dict[str, Any]) -> dict[str, Any]:
            return {"channel": {"id": args["channel"], "is_private": True}}

        resp = await _client(api).conversations_info(channel="C9")
        assert resp["channel"] == {"id": "C9", "is_private": True}
        with pytest.raises(AssertionError, match="conversations.info"):
            await api.wait_for("chat.postMessage", 1, timeout=0.1)


def test_signature_helper_matches_slack_sdk_verifier() -> None:
    body, content_type = sr.slash_command("/kudos", "<@U2|bob> for the release", user_id="U1")
    headers = sr.sign(body, SECRET)
    assert content_type == sr.FORM and parse_qs(body)["command"] == ["/kudos"]
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)
    payload, _ = sr.block_actions("give_kudos", "42")
    assert json.loads(parse_qs(payload)["payload"][0])["actions"][0]["value"] == "42"
    event_body, _ = sr.event_callback(sr.app_mention_event("kudos <@U2>"))
    assert json.loads(event_body)["event"]["blocks"][0]["elements"][0]["elements"][0] == {
        "type": "user",
        "user_id": "UBOT",
    }


@pytest.mark.asyncio
async def test_post_signed_sends_retry_headers() -> None:
    seen: dict[str, str] = {}

    async def endpoint(request: web.Request) -> web.Response:
        seen.update(request.headers)
        ok = SignatureVerifier(SECRET).is_valid_request(await request.text(), dict(request.headers))
        return web.Response(status=200 if ok else 401, text="ok")

    app = web.Application()
    app.router.add_post("/slack/events", endpoint)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        body, ctype = sr.event_callback(sr.message_event("hello"))
        status, text = await sr.post_signed(session, str(server.make_url("/slack/events")), body, ctype, SECRET, 1)
    assert (status, text) == (200, "ok")
    assert seen["X-Slack-Retry-Num"] == "1" and seen["X-Slack-Retry-Reason"] == "http_timeout"


@pytest.mark.asyncio
async def test_connector_records_posted_activity_and_builders_deserialize() -> None:
    async with FakeBotConnector() as connector, aiohttp.ClientSession() as session:
        incoming = ta.channel_message(
            "kudos <at>Bob Jones</at>", service_url=connector.service_url, mentions=[ta.teams_user("Bob Jones")]
        )
        parsed = Activity().deserialize(incoming)
        assert parsed.text.startswith("<at>Bravo</at>") and parsed.channel_data["team"]["id"] == ta.TEAM_ID
        assert parsed.entities[0].type == "mention" and parsed.from_property.aad_object_id
        for build in (
            ta.personal_message("hi", service_url=connector.service_url),
            ta.install_update(service_url=connector.service_url),
            ta.card_action_invoke("vote", {"score": 4}, service_url=connector.service_url),
            ta.submit_message({"score": 4}, service_url=connector.service_url),
        ):
            assert Activity().deserialize(build).type == build["type"]
        reply = {"type": "message", "text": "Thanks!", "conversation": incoming["conversation"]}
        url = f"{connector.service_url}v3/conversations/{incoming['conversation']['id']}/activities"
        async with session.post(url, json=reply) as resp:
            assert resp.status == 201 and (await resp.json())["id"]
        assert await connector.wait_for_activities(1) == [reply]
        assert connector.records[0].conversation_id == incoming["conversation"]["id"]


@pytest.mark.asyncio
async def test_connector_client_routes_roster_and_faults() -> None:
    from botframework.connector.aio import ConnectorClient
    from botframework.connector.auth import MicrosoftAppCredentials
    from msrest.exceptions import HttpOperationError

    async with FakeBotConnector() as connector:
        connector.members = [ta.roster_member("Alice Smith"), ta.roster_member("Bob Jones")]
        client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url=connector.service_url)
        await client.__aenter__()
        conv_id = ta.channel_message("x", service_url=connector.service_url)["conversation"]["id"]
        sent = await client.conversations.send_to_conversation(conv_id, Activity(type="message", text="hi"))
        await client.conversations.reply_to_activity(conv_id, sent.id, Activity(type="message", text="re"))
        await client.conversations.update_activity(conv_id, sent.id, Activity(type="message", text="edited"))
        page = await client.conversations.get_conversation_paged_members(conv_id, page_size=1)
        assert page.members[0].name == "Alice Smith" and page.continuation_token
        bob = await client.conversations.get_conversation_member(conv_id, connector.members[1]["aadObjectId"])
        assert bob.name == "Bob Jones"
        assert [a["text"] for a in connector.activities_in(conv_id)] == ["hi", "re"]
        assert connector.updates[0].activity_id == sent.id
        connector.fail_next(status=403)
        with pytest.raises(HttpOperationError) as err:
            await client.conversations.send_to_conversation("a:blocked", Activity(type="message", text="x"))
        assert err.value.response.status_code == 403
        await client.__aexit__(None, None, None)


@pytest.mark.asyncio
async def test_bolt_accepts_every_signed_request_builder() -> None:
    from slack_bolt.async_app import AsyncApp

    seen: list[str] = []
    async with FakeSlackApi() as api:
        app = AsyncApp(client=_client(api), signing_secret=SECRET, process_before_response=True)

        @app.command("/kudos")
        async def _cmd(ack: Any, command: dict[str, Any]) -> None:
            await ack()
            seen.append(f"command:{command['text']}")

        @app.event("app_mention")
        async def _mention(event: dict[str, Any]) -> None:
            seen.append(f"mention:{event['user']}")

        @app.event("message")
        async def _message(event: dict[str, Any]) -> None:
            seen.append(f"message:{event['channel_type']}")

        @app.event("reaction_added")
        async def _reaction(event: dict[str, Any]) -> None:
            seen.append(f"reaction:{event['reaction']}")

        @app.event("app_home_opened")
        async def _home(event: dict[str, Any]) -> None:
            seen.append(f"home:{event['tab']}")

        @app.action("give_kudos")
        async def _action(ack: Any, body: dict[str, Any]) -> None:
            await ack()
            seen.append(f"action:{body['actions'][0]['value']}")

        @app.view("kudos_modal")
        async def _view(ack: Any, view: dict[str, Any]) -> None:
            await ack()
            seen.append(f"view:{view['private_metadata']}")

        @app.shortcut("kudos_for_message")
        async def _shortcut(ack: Any, shortcut: dict[str, Any]) -> None:
            await ack()
            seen.append(f"shortcut:{shortcut['message']['user']}")

        values = {"b": {"a": {"type": "plain_text_input", "value": "thanks"}}}
        requests = [
            sr.url_verification("chal"),
            sr.slash_command("/kudos", "<@U2|bob> great"),
            sr.event_callback(sr.app_mention_event("kudos <@U2>")),
            sr.event_callback(sr.message_event("hi", channel="DU1", channel_type="im")),
            sr.event_callback(sr.reaction_added_event("tada")),
            sr.event_callback(sr.app_home_opened_event("U1")),
            sr.block_actions("give_kudos", "7"),
            sr.view_submission("kudos_modal", values, private_metadata="meta"),
            sr.message_action("kudos_for_message"),
        ]
        async with TestServer(app.web_app(), host="127.0.0.1") as server, aiohttp.ClientSession() as session:
            url = str(server.make_url("/slack/events"))
            for body, ctype in requests:
                status, text = await sr.post_signed(session, url, body, ctype, SECRET)
                assert status == 200, text
            bad_status, _ = await sr.post_signed(session, url, requests[1][0], sr.FORM, "wrong-secret")
    assert bad_status == 401
    assert seen == [
        "command:<@U2|bob> great",
        "mention:U1",
        "message:im",
        "reaction:tada",
        "home:home",
        "action:7",
        "view:meta",
        "shortcut:U2",
    ]


@pytest.mark.asyncio
async def test_threaded_connector_serves_botbuilders_blocking_teams_calls() -> None:
    from botbuilder.core import BotFrameworkAdapter, BotFrameworkAdapterSettings, TurnContext
    from botbuilder.core.teams import TeamsInfo

    async with FakeBotConnector() as connector:
        connector.members = [ta.roster_member("Alice Smith")]
        adapter = BotFrameworkAdapter(BotFrameworkAdapterSettings("", ""))
        seen: dict[str, Any] = {}

        async def logic(ctx: TurnContext) -> None:
            seen["team"] = (await TeamsInfo.get_team_details(ctx)).name  # sync HTTP inside: needs the thread
            seen["emails"] = [m.email for m in (await TeamsInfo.get_paged_members(ctx)).members]
            await ctx.send_activity("Kudos recorded")

        incoming = ta.channel_message("kudos", service_url=connector.service_url)
        await asyncio.wait_for(adapter.process_activity(Activity().deserialize(incoming), "", logic), 10)
        assert seen == {"team": "Acme Team", "emails": ["alice.smith@acme.example"]}
        assert [a["text"] for a in connector.activities] == ["Kudos recorded"]


@pytest.mark.asyncio
async def test_threaded_slack_api_serves_blocking_web_client() -> None:
    from slack_sdk import WebClient

    async with FakeSlackApi(threaded=True) as api:
        assert WebClient(token=TOKEN, base_url=api.base_url).chat_postMessage(channel="C1", text="sync")["ok"]
        assert (await api.wait_for("chat.postMessage", 1))[0].args["text"] == "sync"
