"""A tap writes nothing about the tapper: an admin who reads the whole database before and after every tap (or keeps
the SQLite WAL, or reads PostgreSQL row versions after the pulse closed) learns nothing about who answered what.

Seven people answer a three-question pulse through the real adapters (signed Slack interactivity requests, Teams
`Action.Submit` activities), in an order that is not the order of their ids, one of them going back to change an
answer. Each tap is bracketed by two reads of every table; the difference must not name or point to the tapper.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.anonymity.slack_team import SlackTeam
from tests.anonymity.support import Reader, diff, naming, no_leak, summary
from tests.anonymity.taps import ORDER, script
from tests.anonymity.teams_team import TeamsTeam
from tests.anonymity.wal import committed_images, read_image
from tests.conftest import both_engines


async def every_question_has_seven_answers(team: SlackTeam | TeamsTeam) -> None:
    """The taps did land: after closing, each question counts seven answers."""
    await team.cli("pulse", "close")
    document = json.loads(await team.cli("pulse", "results", "--json"))
    (group,) = document["teams"]
    assert [question.get("responses") for question in group["questions"]] == [7, 7, 7], group


@both_engines
async def test_no_tap_writes_anything_that_names_the_tapper(team: SlackTeam | TeamsTeam) -> None:
    reader = Reader(team.runtime.database)
    taps = script(team.users)
    findings: list[str] = []
    before = await reader.snapshot()
    for user, button in taps:
        await team.tap(user, button)
        after = await reader.snapshot()
        findings.extend(naming(diff(before, after), team.identities[user]))
        before = after
    no_leak(summary(findings, len(taps), "taps"), "rows written by a tap that name or point to the tapper:")
    await every_question_has_seven_answers(team)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_sqlite_wal_kept_after_close_does_not_link_anyone_to_an_answer(
    slack_team: SlackTeam, tmp_path: Path
) -> None:
    """Replaying `bravo.db-wal` commit by commit: no commit both names exactly one team member and adds or changes a
    row that names nobody (an answer, a comment, a key of one)."""
    for user, button in script(slack_team.users):
        await slack_team.tap(user, button)
    await slack_team.cli("pulse", "close")
    files = await Reader(slack_team.runtime.database).sqlite_files()
    name = Path(str(slack_team.runtime.database.url.database)).name
    members = {user: slack_team.identities[user] for user in slack_team.users}
    linked: dict[str, list[str]] = {}
    previous = None
    for image in committed_images(files[name], files.get(name + "-wal", b"")):
        state = read_image(image, tmp_path)
        if previous is not None:
            changes = diff(previous, state)
            named = {user for user, identity in members.items() if naming(changes, identity)}
            anonymous = [
                c.table for c in changes if not any(identity.named_in(c.values()) for identity in members.values())
            ]
            if len(named) == 1 and anonymous:
                linked.setdefault(named.pop(), []).extend(anonymous)
        previous = state
    no_leak(
        [
            f"{members[user].label}: a commit names them and adds or changes {sorted(set(t))}"
            for user, t in linked.items()
        ],
        f"replaying the WAL links {len(linked)} of 7 people to what they answered:",
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_after_close_row_versions_do_not_tell_when_each_person_answered(slack_team: SlackTeam) -> None:
    """Per person, the transactions that wrote the rows naming them since the pulse was sent: the same for all."""
    database = slack_team.runtime.database
    async with database.engine.connect() as connection:
        sent = int((await connection.execute(text("SELECT txid_current()"))).scalar_one())
    for user, button in script(slack_team.users):
        await slack_team.tap(user, button)
    await slack_team.cli("pulse", "close")
    snapshot = await Reader(database).snapshot()
    versions: dict[str, set[int]] = {}
    for user in slack_team.users:
        identity = slack_team.identities[user]
        versions[identity.label] = {
            int(version) % 2**32
            for rows in snapshot.tables.values()
            for values, version in rows.values()
            if version is not None and int(version) > sent % 2**32 and identity.named_in(values.items())
        }
    shared = set.intersection(*versions.values())
    own = {label: found - shared for label, found in versions.items()}
    order = sorted(own, key=lambda label: max(own[label], default=0))
    tapped = [slack_team.identities[slack_team.users[person]].label for person in ORDER]
    no_leak(
        [f"sorting people by them gives {order}", f"each question was answered in the order {tapped}"]
        if any(own.values())
        else [],
        f"after close, the rows naming {sum(1 for found in own.values() if found)} of 7 people carry row versions "
        "(xmin) written while they answered:",
    )
