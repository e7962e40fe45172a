"""People lookups stay out of the request path: a new giver is recorded from the request and described afterwards;
`users.info` answers are kept, shared between concurrent look-ups and paced; the directory sync reads `users.list`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.app import INBOX_KEY
from bot.config import Settings
from bot.slack.client import web_client
from bot.slack.directory_sync import sync_slack_directory
from bot.slack.http import SLACK_BOT_KEY
from bot.slack.lookups import RateTier, UserLookups
from storage import people as people_store
from storage.db import Database
from storage.models import Person
from storage.models.base import utcnow
from tests.bot.slack.conftest import SlackBravo
from tests.bot.slack.test_inbox import kudos_count, settled
from tests.conftest import both_engines
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import block_actions, event_callback, reaction_added_event, slash_command
from tests.fakes.slack_workspace import make_user

SETTLE_ROUNDS = 20


def users_info_for(api: FakeSlackApi, user: str) -> int:
    return sum(1 for call in api.calls_to("users.info") if call.args.get("user") == user)


def channels(api: FakeSlackApi, *, shared: bool = False) -> None:
    """`conversations.info`: every channel public, shared with another organisation or not."""

    @api.responses_for("conversations.info")
    def info(args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": args["channel"], "is_private": False, "is_ext_shared": shared}}


async def person(database: Database, slack_id: str) -> Person | None:
    async with database.sessions() as session:
        return await people_store.person_by_slack_id(session, slack_id=slack_id)


@both_engines
async def test_a_new_giver_is_recorded_from_the_command_and_described_in_the_background(bravo: SlackBravo) -> None:
    channels(bravo.api)
    released = asyncio.Event()

    @bravo.api.responses_for("users.info")
    async def slow(args: dict[str, Any]) -> dict[str, Any]:
        await released.wait()
        user = bravo.api.users.get(str(args["user"]))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    async with bravo.runtime.database.transaction() as session:
        await people_store.save(session, Person(display_name="Bob Smith", slack_id="U2"))
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U2|bob> thanks for the release", user_id="U1"))
    assert status == 200 and "Bob Smith" in json.dumps(json.loads(body))
    giver = await person(bravo.runtime.database, "U1")
    assert giver is not None and giver.display_name == "alice" and giver.timezone is None
    assert all(call.status is None for call in bravo.api.calls_to("users.info")), "answered before Slack said a word"
    released.set()
    await bravo.app[SLACK_BOT_KEY].enricher.drain()
    giver = await person(bravo.runtime.database, "U1")
    assert giver is not None
    assert (giver.display_name, giver.email, giver.timezone, giver.language, giver.is_bot, giver.active) == (
        "Alice Martin",
        "alice@acme.example",
        "Europe/Paris",
        "en",
        False,
        True,
    )
    assert users_info_for(bravo.api, "U1") == 1 and users_info_for(bravo.api, "U2") == 0


async def test_a_description_under_way_when_the_server_stops_is_written_before_it_ends(bravo: SlackBravo) -> None:
    channels(bravo.api)

    @bravo.api.responses_for("users.info")
    async def slow(args: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0.3)
        return {"ok": True, "user": bravo.api.users[str(args["user"])]}

    status, _, _ = await bravo.post(slash_command("/kudos", "<@U2|bob> thanks", user_id="U1"))
    giver = await person(bravo.runtime.database, "U1")
    assert status == 200 and giver is not None and giver.display_name == "alice"  # not described yet
    await bravo.client.close()  # the server stops
    giver = await person(bravo.runtime.database, "U1")
    assert giver is not None and giver.display_name == "Alice Martin"


async def test_a_button_tap_from_someone_new_records_them_from_the_payload(bravo: SlackBravo) -> None:
    channels(bravo.api)
    status, _, _ = await bravo.post(block_actions("home.refresh", user_id="U3", user_name="claire"))
    assert status == 200
    await bravo.app[SLACK_BOT_KEY].enricher.drain()
    claire = await person(bravo.runtime.database, "U3")
    assert claire is not None and claire.display_name == "Claire Petit" and claire.language == "fr"
    assert users_info_for(bravo.api, "U3") == 1


async def test_a_giver_from_another_workspace_is_refused_without_a_look_up(bravo: SlackBravo) -> None:
    channels(bravo.api)
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U2|bob> hi", user_id="UEXT", team_id="T_OTHER"))
    assert status == 200 and "another organisation" in body
    assert users_info_for(bravo.api, "UEXT") == 0 and await person(bravo.runtime.database, "UEXT") is None


async def test_in_a_channel_shared_with_another_organisation_a_new_giver_is_looked_up(bravo: SlackBravo) -> None:
    channels(bravo.api, shared=True)
    status, _, _ = await bravo.post(slash_command("/kudos", "<@U2|bob> thanks", user_id="U1"))
    assert status == 200 and users_info_for(bravo.api, "U1") == 1
    alice = await person(bravo.runtime.database, "U1")
    assert alice is not None and alice.display_name == "Alice Martin"


async def test_a_recipient_not_met_yet_is_still_looked_up_so_bots_are_refused(bravo: SlackBravo) -> None:
    status, body, _ = await bravo.post(slash_command("/kudos", "<@UBOT2|deploybot> thanks", user_id="U1"))
    assert status == 200
    bot = await person(bravo.runtime.database, "UBOT2")
    assert bot is not None and bot.is_bot
    assert users_info_for(bravo.api, "UBOT2") == 1


async def test_a_new_giver_may_be_a_directory_person_so_slack_is_asked_first(bravo: SlackBravo) -> None:
    channels(bravo.api)
    async with bravo.runtime.database.transaction() as session:
        await people_store.save(session, Person(display_name="Bob (directory)", email="bob@acme.example"))
    status, _, _ = await bravo.post(slash_command("/kudos", "<@U1|alice> thanks", user_id="U2", user_name="bob"))
    assert status == 200
    bob = await person(bravo.runtime.database, "U2")
    assert bob is not None and bob.display_name == "Bob (directory)" and users_info_for(bravo.api, "U2") == 1


async def test_three_hundred_reactions_to_one_author_ask_slack_about_the_author_once(bravo: SlackBravo) -> None:
    bravo.app[SLACK_BOT_KEY].lookups.tier = RateTier(per_minute=60_000, burst=300)
    bravo.app[SLACK_BOT_KEY].lookups.background = RateTier(per_minute=60_000, burst=300)
    reactors = [f"UR{index}" for index in range(300)]
    for reactor in reactors:
        bravo.api.users[reactor] = make_user(reactor, reactor.lower())
    bodies = [
        event_callback(
            reaction_added_event("clap", user=reactor, item_user="U2", item_ts=f"1700000000.{index:06d}"),
            event_id=f"Ev{reactor}",
        )
        for index, reactor in enumerate(reactors)
    ]
    answers = await asyncio.gather(*(bravo.post(body) for body in bodies))
    assert {status for status, _, _ in answers} == {200}
    for _ in range(SETTLE_ROUNDS):
        await bravo.app[INBOX_KEY].worker.drain()
        if await settled(bravo.runtime.database, len(reactors)) == len(reactors):
            break
    assert await kudos_count(bravo.runtime.database) == len(reactors)
    assert users_info_for(bravo.api, "U2") == 1
    assert sorted({users_info_for(bravo.api, reactor) for reactor in reactors}) == [1]


async def test_concurrent_look_ups_of_one_person_share_one_call(fake_slack: FakeSlackApi, settings: Settings) -> None:
    fake_slack.delay("users.info", 0.05)
    update = {"slack_bot_token": "xoxb-test", "slack_api_url": fake_slack.base_url}
    client = web_client(settings.model_copy(update=update))
    lookups = UserLookups(client)
    now = utcnow()
    users = await asyncio.gather(*(lookups.user("U2", now) for _ in range(50)))
    assert {user["real_name"] for user in users if user} == {"Bob Smith"} and len(users) == 50
    assert len(fake_slack.calls_to("users.info")) == 1
    assert await lookups.user("U2", now) is not None and len(fake_slack.calls_to("users.info")) == 1
    assert await lookups.user("UNKNOWN", now) is None and await lookups.user("UNKNOWN", now) is None
    assert users_info_for(fake_slack, "UNKNOWN") == 2, "a failure is not kept"


async def test_background_look_ups_never_hold_up_a_request(fake_slack: FakeSlackApi, settings: Settings) -> None:
    update = {"slack_bot_token": "xoxb-test", "slack_api_url": fake_slack.base_url}
    lookups = UserLookups(web_client(settings.model_copy(update=update)), background=RateTier(per_minute=1, burst=1))
    now = utcnow()
    assert await lookups.user("U1", now, background=True) is not None
    waiting = asyncio.create_task(lookups.user("U3", now, background=True))  # a minute away
    assert await lookups.user("U2", now) is not None, "a request's look-up does not queue behind it"
    assert not waiting.done()
    waiting.cancel()


async def test_the_rate_tier_hands_out_its_burst_then_paces() -> None:
    clock = [0.0]
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    tier = RateTier(per_minute=60, burst=3, clock=lambda: clock[0])
    original = asyncio.sleep
    asyncio.sleep = fake_sleep  # type: ignore[assignment]
    try:
        for _ in range(5):
            await tier.take()
    finally:
        asyncio.sleep = original
    assert waits == [1.0, 1.0], "three at once, then one a second"


@both_engines
async def test_the_directory_sync_reads_users_list_page_by_page(database: Database, settings: Settings) -> None:
    async with database.transaction() as session:
        await people_store.save(session, Person(email="bob@acme.test", display_name="Bob Smith"))
        await people_store.save(session, Person(display_name="carol", slack_id="U3"))
    async with FakeSlackApi() as api:
        api.users["U2"] = make_user("U2", "bob", email="bob@acme.test", real_name="Robert Smith")
        api.users["U3"] = make_user("U3", "carol", real_name="Carol Jones", tz="Europe/Paris")
        for index in range(450):
            api.users[f"UX{index}"] = make_user(f"UX{index}", f"x{index}")
        client = web_client(settings.model_copy(update={"slack_bot_token": "xoxb-test", "slack_api_url": api.base_url}))
        assert await sync_slack_directory(client, database, RateTier(per_minute=6000, burst=10)) == 1
        assert len(api.calls_to("users.list")) == 3 and not api.calls_to("users.info")
        assert not api.calls_to("users.lookupByEmail")
    async with database.sessions() as session:
        bob = await people_store.person_by_email(session, email="bob@acme.test")
        carol = await people_store.person_by_slack_id(session, slack_id="U3")
    assert bob is not None and bob.slack_id == "U2" and bob.display_name == "Bob Smith", "the directory's name wins"
    assert carol is not None and (carol.display_name, carol.timezone) == ("Carol Jones", "Europe/Paris")
