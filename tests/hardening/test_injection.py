"""What a person types is shown as typed, never as markup: no `@channel`/`@here` ping, no forged mention, no link
disguised as another, in Slack mrkdwn and in Adaptive Cards, whatever the reason of a kudos says."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.app import WORKER_KEY, build_app
from bot.runtime import open_runtime
from storage.models import KudosRecipient, Person
from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo, slack_settings
from tests.bot.teams.conftest import TeamsApp, teams_settings
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import slash_command
from tests.hardening.strategies import TEXT, fuzz

FUZZ = fuzz(30)

SLACK_TRICKS = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<!here|here>",
        "<!subteam^S0123|@everyone-in-sales>",
        "&lt;!channel&gt;",
        "&lt;@U4&gt;",
        "<http://evil.example|https://bank.example>",
        "<https://evil.example>",
        "<mailto:ceo@evil.example|ceo@acme.example>",
        "<#C999|general>",
        "<!date^1392734382^{date_pretty}|Feb 18>",
        "<@5>",
        "<!team:1>",
        "*bold* _it_ ~s~ `code` ```block```",
        "> quoted",
        "&amp;lt;!here&amp;gt;",
        "<",
        ">",
        "&",
    ]
)
TEAMS_TRICKS = st.sampled_from(
    [
        "[bank](http://evil.example)",
        "[http://bank.example](http://evil.example)",
        "![img](http://evil.example/x.png)",
        "<at>Bob Jones</at>",
        "<at>Carol King</at>",
        "&lt;at&gt;Bob Jones&lt;/at&gt;",
        "<a href='http://evil.example'>bank</a>",
        "**bold** _it_ ~~s~~ `code`",
        "- item",
        "1. item",
        "\\[x\\](y)",
        "<@5>",
        "<!team:1>",
        "\n\n",
    ]
)


def reason(tricks: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(tricks, TEXT.filter(lambda text: "<" not in text)), min_size=1, max_size=6).map(
        lambda parts: "thanks " + " ".join(parts)
    )


# -- Slack ----------------------------------------------------------------------------------------------------

LIVE_MARKUP = re.compile(r"<(?!@U[A-Z0-9]+>)[^>]*>")
LIVE_USER = re.compile(r"<@(U[A-Z0-9]+)>")


@pytest.fixture
async def generous(
    database_url: str, fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackBravo]:
    """Bravo on Slack with an allowance large enough for every example to be a kudos."""
    settings = slack_settings(
        database_url, fake_slack, monkeypatch, BRAVO_DAILY_ALLOWANCE="1000", BRAVO_OUTBOX_CHANNEL_INTERVAL="0"
    )
    async with open_runtime(settings) as runtime:
        app = build_app(runtime, background=False)
        async with TestClient(TestServer(app)) as client:
            yield SlackBravo(client=client, api=fake_slack, app=app, runtime=runtime)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


async def recipients(bravo: SlackBravo) -> set[str]:
    async with bravo.runtime.database.sessions() as session:
        rows = (await session.exec(select(Person.slack_id).join(KudosRecipient))).all()
    return {str(slack_id) for slack_id in rows}


@FUZZ
@given(text=reason(SLACK_TRICKS))
async def test_slack_never_renders_what_a_giver_typed_as_markup(generous: SlackBravo, text: str) -> None:
    bravo = generous
    bravo.api.reset()
    status, body, _ = await bravo.post(slash_command("/kudos", f"<@U2|bob> {text}", user_id="U1"))
    assert status == 200
    await bravo.drain()
    shown = [json.loads(body), *(call.args for call in bravo.api.calls_to("chat.postMessage"))]
    allowed = {"U1"} | await recipients(bravo)
    for message in shown:
        for string in strings(message):
            assert not LIVE_MARKUP.search(string), string
            assert set(LIVE_USER.findall(string)) <= allowed, string


async def test_a_disguised_link_shows_where_it_leads(bravo: SlackBravo) -> None:
    await bravo.post(slash_command("/kudos", "<@U2|bob> see <http://evil.example|https://bank.example>", user_id="U1"))
    await bravo.drain()
    (post,) = bravo.posts_to(RECOGNITION_CHANNEL)
    assert "https://bank.example (http://evil.example)" in json.dumps(post["blocks"])


# -- Teams ----------------------------------------------------------------------------------------------------

ALICE, BOB = ta.teams_user("Alice Smith"), ta.teams_user("Bob Jones")
LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
AT_TAG = re.compile(r"<at>(.*?)</at>")


@pytest.fixture
async def announced(
    database_url: str, monkeypatch: pytest.MonkeyPatch, connector: FakeBotConnector
) -> AsyncIterator[TeamsApp]:
    settings = teams_settings(
        database_url,
        monkeypatch,
        BRAVO_TEAMS_RECOGNITION_CHANNEL=ta.CHANNEL_ID,
        BRAVO_DAILY_ALLOWANCE="1000",
        BRAVO_OUTBOX_CHANNEL_INTERVAL="0",
    )
    connector.members = [
        ta.roster_member("Alice Smith", email="alice@acme.example"),
        ta.roster_member("Bob Jones", email="bob@acme.example"),
    ]
    async with open_runtime(settings) as runtime:
        async with TestClient(TestServer(build_app(runtime, background=False))) as client:
            app = TeamsApp(client=client, runtime=runtime, connector=connector)
            await app.import_people(
                ("alice@acme.example", "Alice Smith", "Engineering"), ("bob@acme.example", "Bob Jones", "Platform")
            )
            unpaced(app)
            yield app


def unpaced(app: TeamsApp) -> None:
    """Each look at the Teams pacer's clock is a minute later, so many examples in one channel never wait."""
    pacer = app.worker.senders["teams"].pacer  # type: ignore[attr-defined]
    if not getattr(pacer, "unpaced", False):
        pacer.clock, pacer.unpaced = itertools.count(start=0, step=60).__next__, True


def card_texts(activity: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Every text of an activity's Adaptive Cards, and the names its mention entities stand for."""
    texts: list[str] = []
    mentions: list[str] = []
    for attachment in activity.get("attachments") or []:
        content = attachment.get("content") or {}
        texts.extend(strings({key: value for key, value in content.items() if key != "msteams"}))
        mentions.extend(entity["text"] for entity in (content.get("msteams") or {}).get("entities", []))
    return texts, mentions


@FUZZ
@given(text=reason(TEAMS_TRICKS))
async def test_teams_never_renders_what_a_giver_typed_as_markup(announced: TeamsApp, text: str) -> None:
    connector = announced.connector
    connector.records.clear()
    activity = ta.channel_message(
        f"kudos <at>Bob Jones</at> {text}", service_url=connector.service_url, from_user=ALICE, mentions=[BOB]
    )
    assert await announced.post(activity) == 201
    await announced.client.app[WORKER_KEY].drain()  # type: ignore[index]
    delivered = connector.activities
    assert delivered
    for item in delivered:
        texts, mentions = card_texts(item)
        assert set(mentions) <= {"<at>Alice Smith</at>", "<at>Bob Jones</at>"}
        for string in texts:
            assert not LINK.search(string), string
            assert {f"<at>{name}</at>" for name in AT_TAG.findall(string)} <= set(mentions), string
