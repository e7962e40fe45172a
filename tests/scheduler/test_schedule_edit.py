"""A team's own schedules as an admin changes them: stored in canonical form, `default` follows the settings again,
and a spec, time zone or team the rules refuse leaves everything as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.i18n import Translator
from handlers.policy import Policy
from scheduler.schedule_edit import (
    INVALID_SCHEDULE,
    UNKNOWN_TEAM,
    UNKNOWN_ZONE,
    ScheduleChange,
    ScheduleEditError,
    edit_schedule,
    schedule_overview,
)
from storage import people as people_store
from storage import schedule as schedule_store
from storage.db import Database
from tests.conftest import both_engines
from tests.scheduler.support import Org, config, seed_database

NOW = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


async def _edit(database: Database, **change: str) -> None:
    async with database.transaction() as session:
        await edit_schedule(session, ScheduleChange(team="sales", **change), now=NOW)


async def _stored(database: Database, org: Org) -> tuple[str | None, str | None, str | None, str | None]:
    async with database.sessions() as session:
        row = await schedule_store.get_team_schedule(session, team_id=org.teams["Sales"].id or 0)
        team = await people_store.team_by_name(session, name="Sales")
    assert row is not None and team is not None
    return row.manager_digest, row.team_digest, row.timezone, team.slack_channel


@both_engines
async def test_schedules_are_stored_canonical_and_default_follows_the_settings(
    database: Database, policy: Policy
) -> None:
    org = await seed_database(database, channels=True)
    await _edit(database, manager_digest="Tuesday 8h30", team_digest="OFF", timezone="Asia/Tokyo", slack_channel=" ")
    assert await _stored(database, org) == ("tue 08:30", "off", "Asia/Tokyo", None)
    async with database.sessions() as session:
        overview = await schedule_overview(session, config=config(), policy=policy, now=NOW)
    assert (overview.leaderboard, overview.timezone) == ("fri 16:00", "Europe/Paris")
    sales = {team.team: team for team in overview.teams}["Sales"]
    assert (sales.manager_digest, sales.manager_zone) == ("tue 08:30", "America/New_York")
    assert (sales.team_digest, sales.team_zone) == ("off", None)
    await _edit(database, manager_digest="default", team_digest="Default", timezone="", slack_channel="C9")
    assert await _stored(database, org) == (None, None, None, "C9")


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            {"manager_digest": ""},
            INVALID_SCHEDULE,
            "Invalid schedule: expected 'DAYS HH:MM' (e.g. 'mon 09:00') or 'off', not ''",
        ),
        ({"team_digest": "someday 09:00"}, INVALID_SCHEDULE, "Invalid schedule: unknown day 'someday'"),
        ({"timezone": "Mars/Olympus"}, UNKNOWN_ZONE, "Unknown time zone Mars/Olympus."),
        ({"team": "Nobody", "manager_digest": "mon 09:00"}, UNKNOWN_TEAM, "No team is called Nobody."),
    ],
)
async def test_a_refused_change_stores_nothing_and_says_why_in_one_line(
    database: Database, change: dict[str, str], code: str, message: str
) -> None:
    await seed_database(database)
    with pytest.raises(ScheduleEditError) as refused:
        async with database.transaction() as session:
            values = {"team": "Sales", "slack_channel": "C1", **change}
            await edit_schedule(session, ScheduleChange(**values), now=NOW)
    assert refused.value.code == code and refused.value.message(Translator("en")).startswith(message)
    async with database.sessions() as session:
        assert await schedule_store.team_schedules(session) == {}
        team = await people_store.team_by_name(session, name="Sales")
    assert team is not None and team.slack_channel is None
