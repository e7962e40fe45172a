"""The console runs the same kudos flows as Slack: `@Name` mentions, the form, "try again", effects shown inline."""

from __future__ import annotations

import io

from bot.console.chat import ConsoleChat
from bot.console.demo import seed_demo
from bot.console.mentions import Directory, MentionError, load_directory, resolve_people, rewrite_mentions
from handlers.i18n import Translator
from handlers.policy import Policy
from handlers.rewards.proposals import set_goal
from storage import people as people_store
from storage.db import Database
from storage.models import Person
from storage.models.base import utcnow
from tests.bot.console.runtime import console_runtime

T = Translator("en")


async def chat(database: Database, policy: Policy, lines: str, *, as_person: str = "Bob Smith") -> str:
    async with database.transaction() as session:
        await seed_demo(session, values=policy.company_values)
        (person,) = await people_store.people_named(session, name=as_person)
    out = io.StringIO()
    await ConsoleChat(console_runtime(database, policy), person, io.StringIO(lines), out).run()
    return out.getvalue()


async def test_kudos_with_mentions_show_the_confirmation_post_and_direct_message(
    database: Database, policy: Policy
) -> None:
    shown = await chat(database, policy, "/kudos @Claire Petit @David 2 thanks for the review #teamwork\n")
    assert "You gave 2 points each to @Claire Petit and @David Chen." in shown
    assert "You have 1 point left to give today." in shown
    assert "[post in #kudos]" in shown and "@Bob Smith recognised @Claire Petit and @David Chen" in shown
    assert "[direct message to Claire Petit: Vous avez reçu des kudos !]" in shown
    assert "[direct message to David Chen: You received kudos!]" in shown


async def test_unknown_names_and_rules_are_explained(database: Database, policy: Policy) -> None:
    shown = await chat(database, policy, "/kudos @Nobody hi\n/kudos @Bob thanks me\n/kudos @Emma nice #teamwrk\n")
    assert "I don't know anyone called @Nobody." in shown
    assert "You can't give kudos to yourself" in shown
    assert "Did you mean #teamwork?" in shown


async def test_the_form_asks_again_for_unknown_names_and_try_again_restores_it(
    database: Database, policy: Policy
) -> None:
    lines = (
        "/kudos\nEmma, Nobody\nEmma Wilson, @David\n3\n5\nthanks for the demo\n"  # 6 points: refused
        "1\n\n2\n\n\n"  # try again: keep the people, 2 points each, keep values and message
    )
    shown = await chat(database, policy, lines)
    assert "I don't know anyone called @Nobody." in shown
    assert "This kudos needs 6 points, but you have 5 points left today." in shown
    assert "[1] Edit and try again" in shown
    assert "Who do you want to recognise? (Emma Wilson, David Chen)" in shown
    assert "You gave 2 points each to @Emma Wilson and @David Chen." in shown
    assert "#teamwork" in shown and "thanks for the demo" in shown


async def test_the_leaderboard_and_my_kudos_in_the_console(database: Database, policy: Policy) -> None:
    shown = await chat(database, policy, "/kudos @Grace 2 great call #customer-first\n/kudos leaderboard\n/kudos me\n")
    assert "🥇 Sales" in shown and "🥇 Grace Lee" in shown
    assert "to Grace Lee, 2 points: great call #customer-first" in shown and "3 of 5" in shown


def _directory(*names: str) -> Directory:
    return Directory(
        names=tuple(sorted(((n.lower(), f"<@{i}>", n) for i, n in enumerate(names, 1)), key=lambda x: -len(x[0]))),
        ambiguous={},
    )


async def test_names_match_longest_first_and_shared_first_names_are_ambiguous(database: Database) -> None:
    async with database.transaction() as session:
        for name in ("Sam Lee", "Sam Roe", "Ann"):
            await people_store.save(session, Person(display_name=name))
        directory = await load_directory(session)
    assert rewrite_mentions("@Sam Lee and @ann, thanks", directory, T) == "<@1> and <@3>, thanks"
    assert resolve_people("Sam Roe, @Ann", directory, T) == ("2", "3")
    try:
        rewrite_mentions("@Sam thanks", directory, T)
    except MentionError as error:
        assert "could be several people: Sam Lee, Sam Roe" in str(error)
    else:
        raise AssertionError("an ambiguous first name must be refused")
    assert rewrite_mentions("mail bob@example.com or @", _directory("Bob"), T) == "mail bob@example.com or @"


async def test_the_form_says_there_are_no_points_left_before_asking_anything(
    database: Database, policy: Policy
) -> None:
    shown = await chat(database, policy, "/kudos @David 5 thanks for the release\n/kudos\nEmma\n")
    after = shown.split("> /kudos\n", 1)[1]
    assert "You have used all 5 of your points for today." in after
    assert "Who do you want to recognise?" not in after and "Give kudos" not in after


async def test_a_kudos_that_reaches_the_teams_goal_is_celebrated_in_the_terminal(
    database: Database, policy: Policy
) -> None:
    async with database.transaction() as session:
        await seed_demo(session, values=policy.company_values)
        engineering = await people_store.team_by_name(session, name="Engineering")
        assert engineering is not None
        await set_goal(session, team_id=engineering.id, points=4, reward="Team lunch", now=utcnow())
    shown = await chat(database, policy, "/kudos @Claire Petit @David 2 thanks for the review #teamwork\n")
    assert "[post in #team-engineering]" in shown and "🎉 Engineering reached 4 points: Team lunch!" in shown
    assert "[direct message to Alice Martin: A reward to deliver]" in shown
