"""Acceptance, against the local Slack look-alike: `bravo digest send --now` DMs each manager once per week, even
run twice at once on PostgreSQL; `bravo leaderboard post --now` ranks teams and names no one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import build_parser
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from handlers.rewards.proposals import set_goal
from storage import people as people_store
from storage.db import Database
from tests.cli import run_bravo_async
from tests.fakes.slack_api import Call, FakeSlackApi
from tests.scheduler.support import PEOPLE, Org, give, seed

MANAGERS = {"UALICE", "UNOAH"}
VALUES = ["teamwork", "ownership", "customer-first", "courage", "kindness"]


async def bravo(*args: str, database_url: str, api: FakeSlackApi) -> tuple[int, str, str]:
    """Run the CLI in a subprocess while this event loop keeps serving the fake Slack API."""
    return await run_bravo_async(
        *args,
        database_url=database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=api.base_url,
        BRAVO_TIMEZONE="Europe/Paris",
        BRAVO_LEADERBOARD_CHANNEL="CLEAD",
        BRAVO_OUTBOX_CHANNEL_INTERVAL="0",
    )


async def seed_directory(database: Database) -> Org:
    """Two teams with a few kudos this week; values already synced so concurrent starts have nothing to insert."""
    now = datetime.now(UTC)
    async with database.transaction() as session:
        org = await seed(session, slack=True, channels=True)
        await people_store.sync_values(
            session, slugs=["teamwork", "ownership", "customer-first", "courage", "kindness"]
        )
        await give(session, org["Bob"], [org["Claire"]], at=now - timedelta(days=1), message="great review")
        await give(session, org["Grace"], [org["David"], org["Hugo"]], at=now - timedelta(hours=2), values=["teamwork"])
        await set_goal(
            session, team_id=org.teams["Engineering"].id, points=10, reward="Team lunch", now=now - timedelta(days=2)
        )
        await set_goal(session, team_id=org.teams["Sales"].id, points=40, reward="Bowling", now=now - timedelta(days=2))
    return org


def direct_messages(api: FakeSlackApi) -> list[Call]:
    return [call for call in api.calls_to("chat.postMessage") if call.args.get("channel") in MANAGERS]


def url_of(database: Database) -> str:
    return database.url.render_as_string(hide_password=False)


async def test_digest_send_now_dms_each_manager_once_a_week(database: Database) -> None:
    await seed_directory(database)
    async with FakeSlackApi() as api:
        code, out, err = await bravo("digest", "send", "--now", database_url=url_of(database), api=api)
        assert code == 0, err
        assert sorted(call.args["channel"] for call in direct_messages(api)) == sorted(MANAGERS)
        channels = {call.args["channel"] for call in api.calls_to("chat.postMessage")} - MANAGERS
        assert channels == {"CENG", "CSALES"}
        assert "Manager digest for Alice Martin" in out and "messages delivered" in out
        before = len(api.calls)
        code, out, err = await bravo("digest", "send", "--now", database_url=url_of(database), api=api)
        assert code == 0, err
        assert len(api.calls) == before
        assert "already gone out" in out


async def test_two_simultaneous_runs_on_postgresql_still_send_one_digest_per_manager(postgres_url: str) -> None:
    database = Database(postgres_url)
    try:
        from tests.databases import truncate_all

        await truncate_all(database)
        await seed_directory(database)
        async with FakeSlackApi() as api:
            results = await asyncio.gather(
                *(bravo("digest", "send", "--now", database_url=postgres_url, api=api) for _ in range(2))
            )
            assert all(code == 0 for code, _, _ in results), results
            assert sorted(call.args["channel"] for call in direct_messages(api)) == sorted(MANAGERS)
            posts = [call.args["channel"] for call in api.calls_to("chat.postMessage")]
            assert sorted(posts) == sorted([*MANAGERS, "CENG", "CSALES"])
    finally:
        from tests.databases import truncate_all

        await truncate_all(database)
        await database.dispose()


async def test_dry_run_prints_the_digests_and_sends_nothing(database: Database) -> None:
    await seed_directory(database)
    async with FakeSlackApi() as api:
        code, out, err = await bravo(
            "digest", "send", "--now", "--dry-run", "--team", "Sales", database_url=url_of(database), api=api
        )
        assert code == 0, err
        assert api.calls_to("chat.postMessage") == []
        assert "Your weekly digest: Sales" in out and "Engineering" not in out
        code, out, _ = await bravo(
            "digest", "send", "--now", "--team", "Nowhere", database_url=url_of(database), api=api
        )
        assert code == 1


async def test_leaderboard_post_now_ranks_teams_in_the_channel_and_names_no_individual(database: Database) -> None:
    await seed_directory(database)
    async with FakeSlackApi() as api:
        code, out, err = await bravo("leaderboard", "post", "--now", database_url=url_of(database), api=api)
        assert code == 0, err
        (post,) = api.calls_to("chat.postMessage")
        assert post.args["channel"] == "CLEAD"
        shown = str(post.args.get("text", "")) + str(post.args.get("blocks", ""))
        assert "Engineering" in shown and "Sales" in shown and "█" in shown
        assert shown.index("Engineering") < shown.index("Sales")  # 2 of 10 (20%) ahead of 2 of 40 (5%)
        for _email, name, *_rest, slack_id in PEOPLE:
            assert name.split()[0] not in shown and slack_id not in shown
        code, out, err = await bravo("leaderboard", "post", "--now", database_url=url_of(database), api=api)
        assert code == 0 and "already been posted" in out
        assert len(api.calls_to("chat.postMessage")) == 1


async def run_cli(runtime: Runtime, *argv: str) -> int:
    args = build_parser().parse_args(argv)
    return int(await args.func(args, runtime))


async def test_rewards_and_schedule_commands_in_the_console_demo(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async with open_runtime(settings) as runtime:
        await seed_directory(runtime.database)
        assert await run_cli(runtime, "rewards", "propose", "300", "team", "lunch") == 0
        assert await run_cli(runtime, "rewards", "propose", "2000", "charity", "day", "--org") == 0
        assert await run_cli(runtime, "rewards", "goal", "12", "escape", "game", "--team", "Sales") == 0
        assert await run_cli(runtime, "rewards", "propose", "0", "nothing") == 2
        assert await run_cli(runtime, "rewards", "list") == 0
        assert await run_cli(runtime, "rewards", "withdraw", "1") == 0
        assert await run_cli(runtime, "rewards", "withdraw", "1") == 1
        assert await run_cli(runtime, "schedule", "set", "--team", "Sales", "--manager-digest", "tue 8h30") == 0
        assert await run_cli(runtime, "schedule", "set", "--team", "Sales", "--team-digest", "someday") == 2
        assert await run_cli(runtime, "schedule", "show") == 0
        assert await run_cli(runtime, "leaderboard", "post", "--now") == 0
    out = capsys.readouterr().out
    assert "proposed to every team: team lunch (300 points)." in out
    assert "proposed to the organisation: charity day (2000 points)." in out
    assert "Goal of Sales: escape game, 12 points." in out
    assert "Option 1 withdrawn." in out
    assert "  Engineering: Team lunch  2 / 10  ██░░░░░░░░ 20%" in out
    assert "Sales: manager digest tue 08:30 (America/New_York)" in out
    assert "[post in #leaderboard]" in out and "1. Engineering: 2 / 10 points towards Team lunch" in out


async def test_an_empty_schedule_is_refused_in_one_line(database: Database) -> None:
    await seed_directory(database)
    code, _, err = await run_bravo_async(
        "schedule", "set", "--team", "Sales", "--manager-digest", "", database_url=url_of(database)
    )
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines() == ["Invalid schedule: expected 'DAYS HH:MM' (e.g. 'mon 09:00') or 'off', not ''"]
