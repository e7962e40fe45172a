"""What the manager digest and the team digest say about a team's week in kudos."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.digest.manager import MANAGER_DIGEST
from handlers.digest.team import TEAM_DIGEST
from handlers.policy import Policy
from handlers.rewards.proposals import set_goal
from scheduler.runs import send_digests
from storage import people as people_store
from storage.db import Database
from tests.conftest import both_engines
from tests.scheduler.support import Org, config, give, seed

MONDAY_NINE_PARIS = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


async def seed_week(database: Database) -> Org:
    week = MONDAY_NINE_PARIS - timedelta(days=3)
    async with database.transaction() as session:
        org = await seed(session, channels=True)
        await set_goal(session, team_id=org.teams["Engineering"].id, points=20, reward="Team lunch", now=week)
        await give(session, org["David"], [org["Claire"]], at=week - timedelta(days=20), message="old news")
        await give(
            session,
            org["Grace"],
            [org["Claire"]],
            at=week,
            message=f"thanks <@{org['Bob'].id}> and Claire for the demo",
            values=["teamwork"],
        )
        await give(
            session,
            org["Bob"],
            [org["Claire"], org["David"]],
            at=week + timedelta(hours=1),
            points=2,
            message="for the calm release",
            values=["teamwork", "courage"],
        )
    return org


async def digests(database: Database, policy: Policy, now: datetime = MONDAY_NINE_PARIS) -> dict[tuple[str, str], str]:
    """Every digest due at `now` (Monday 09:00 in Paris), as plain text keyed by (kind, recipient)."""
    settings = {"leaderboard": None, "platforms": ("slack",), "team_digest": config().manager_digest}
    outcomes = await send_digests(database, config=config(**settings), policy=policy, now=now, dry_run=True)
    return {(item.kind, item.recipient): item.card.plain() if item.card else "" for item in outcomes}


@both_engines
async def test_the_manager_digest_tells_the_week_in_kudos_and_nudges_privately(
    database: Database, policy: Policy
) -> None:
    await seed_week(database)
    text = (await digests(database, policy))[(MANAGER_DIGEST, "Alice Martin")]
    assert text.startswith("Your weekly digest: Engineering")
    assert "Kudos received: 2" in text
    assert "People recognised: 2 of 3" in text and "People who gave kudos: 1 of 3" in text
    assert "Top values: #teamwork (2), #courage (1)" in text
    lines = text.splitlines()
    first = lines.index("@Bob Smith to @Claire Petit, @David Chen:")
    assert lines[first + 1] == "for the calm release"
    second = lines.index("@Grace Lee to @Claire Petit:")
    assert first < second and lines[second + 1] == "thanks @Bob Smith and Claire for the demo"
    assert "old news" not in text
    assert "Not recognised for 30 days: @Bob Smith. Is there something to thank them for? Only you see this." in text
    assert "Collective reward: 5 / 20 points towards Team lunch ██░░░░░░░░ 25%" in text
    assert "This digest is private to you." in text


async def test_a_manager_reads_the_digest_in_their_own_language(database: Database, policy: Policy) -> None:
    org = await seed_week(database)
    async with database.transaction() as session:
        alice = await people_store.get_person(session, person_id=org["Alice"].id or 0)
        assert alice is not None
        alice.language = "fr"
        await people_store.save(session, alice)
    found = await digests(database, policy)
    text = found[(MANAGER_DIGEST, "Alice Martin")]
    assert text.startswith("Votre bilan de la semaine : Engineering")
    assert "Kudos reçus: 2" in text and "Pas de kudos depuis 30 jours : @Bob Smith." in text
    assert "@Bob Smith. Une raison de lui dire merci ? Personne d'autre ne voit ceci." in text  # one person
    assert "Du 23 mars 2026 au 30 mars 2026. Ce bilan n'est visible que par vous." in text
    assert found[(TEAM_DIGEST, "Engineering")].startswith("Engineering: the week in recognition")


async def test_the_team_digest_shares_highlights_and_the_pot_but_names_no_top_person(
    database: Database, policy: Policy
) -> None:
    await seed_week(database)
    found = await digests(database, policy)
    engineering = found[(TEAM_DIGEST, "Engineering")]
    assert "2 kudos for the team this week · #teamwork (2), #courage (1)" in engineering
    assert "for the calm release" in engineering
    assert "Our collective reward: 5 / 20 points towards Team lunch" in engineering
    assert "Not recognised" not in engineering and "People recognised" not in engineering
    in_new_york = await digests(database, policy, MONDAY_NINE_PARIS + timedelta(hours=6))
    assert in_new_york[(TEAM_DIGEST, "Sales")] == ""  # nothing happened: the channel stays quiet
    sales = in_new_york[(MANAGER_DIGEST, "Noah Brown")]
    assert "No kudos for Sales this week." in sales
    assert "No goal yet: vote for the reward you want to work towards with /rewards." in sales
