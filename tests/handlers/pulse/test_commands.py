"""`/pulse` and `/pulse results` in chat, in English and French, and suppression as each reader sees it."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.messages import Card
from handlers.policy import Policy
from handlers.pulse import close_now, pulse_report, send_now
from handlers.routing import run_command
from storage import people as people_store
from storage.db import Database
from storage.models import Person
from tests.handlers.pulse.test_support import (
    BOSS,
    answer_button,
    answer_question,
    context,
    delivered_cards,
    seed_org,
    tap,
    with_threshold,
)

CLOSED = timedelta(hours=49)  # results show only once the round has closed


async def _card(database: Database, person: Person, text: str, policy: Policy, now: datetime) -> Card:
    """What `/pulse TEXT` shows this person."""
    async with database.transaction() as session:
        actor = await people_store.get_person(session, person_id=person.id or 0)
        assert actor is not None
        answer = await run_command(context(session, actor, policy, now), "pulse", text)
    assert answer.card is not None
    return answer.card


async def _command(database: Database, person: Person, text: str, policy: Policy, now: datetime) -> str:
    return (await _card(database, person, text, policy, now)).plain()


async def test_pulse_walks_through_open_questions_one_tap_each(
    database: Database, policy: Policy, now: datetime
) -> None:
    async with database.transaction() as session:
        members = await seed_org(session, {"Ops": 5})
        await send_now(session, policy=policy, now=now)
    person = members["Ops"][0]
    first = await _card(database, person, "", policy, now)
    assert first.title == "Pulse check: question 1 of 3"
    assert "[Next question]" in first.plain() and "[Previous question]" not in first.plain()
    card = first
    for number, answer in ((2, 1), (3, 1), (3, 1)):
        answered = await tap(database, person, answer_button(card, answer), policy, now)
        assert answered.card is not None and answered.card.title == f"Pulse check: question {number} of 3"
        card = answered.card
    assert "that was the last question" in card.plain()
    done = await _card(database, person, "", policy, now)
    assert done.title == "Pulse check: question 1 of 3"
    assert "answered every question" in done.plain() and "Your answer:" in done.plain()
    changed = await tap(database, person, answer_button(done, 5), policy, now)
    assert changed.card is not None and changed.card.title == "Pulse check: question 2 of 3"
    assert "Your answer:" in changed.card.plain()


async def test_pulse_numbers_the_remaining_questions_as_in_the_pulse_and_can_go_back(
    database: Database, policy: Policy, now: datetime
) -> None:
    async with database.transaction() as session:
        members = await seed_org(session, {"Ops": 5})
        await send_now(session, policy=policy, now=now)
    person = members["Ops"][0]
    first = await _card(database, person, "", policy, now)
    await tap(database, person, answer_button(first, 1), policy, now)
    again = await _card(database, person, "", policy, now)
    assert again.title == "Pulse check: question 2 of 3"
    assert "[Previous question]" in again.plain()


async def test_french_readers_get_french_questions_and_results(
    database: Database, policy: Policy, now: datetime
) -> None:
    async with database.transaction() as session:
        members = await seed_org(session, {"Ventes": 5}, french=frozenset({"ventes1@acme.test"}))
        boss = await people_store.person_by_email(session, email=BOSS)
        assert boss is not None
        boss.language = "fr"
        await people_store.save(session, boss)
        await send_now(session, policy=policy, now=now)
    claire = members["Ventes"][0]
    async with database.sessions() as session:
        cards = await delivered_cards(session, claire)
    assert cards[0].title == "Pulse : question 1 sur 3"
    assert "Quelle est la probabilité que vous recommandiez de travailler ici ?" in cards[0].plain()
    assert "[Ajouter un commentaire]" in cards[0].plain()
    await answer_question(database, members["Ventes"], "enps", [10, 9, 9, 7, 3], policy, now)
    assert "au manager de chaque équipe" in await _command(database, claire, "results", policy, now + CLOSED)
    text = await _command(database, boss, "results", policy, now + CLOSED)
    assert "Ventes : 5 réponses sur 5 (100 %)" in text
    assert "eNPS: +40,0" in text and "Pas encore assez de réponses." in text


async def test_managers_see_their_teams_members_none_admins_everything(
    database: Database, policy: Policy, now: datetime
) -> None:
    async with database.transaction() as session:
        members = await seed_org(session, {"Ops": 5, "Lab": 5})
        boss = await people_store.person_by_email(session, email=BOSS)
        await send_now(session, policy=policy, now=now)
    assert boss is not None
    for team in ("Ops", "Lab"):
        await answer_question(database, members[team], "enps", [9, 9, 9, 9, 9], policy, now)
    manager_view = await _command(database, boss, "results", policy, now + CLOSED)
    assert "Ops: 5 of 5 answered" in manager_view and "Lab: 5 of 5 answered" in manager_view
    assert "Whole organisation" not in manager_view
    member_view = await _command(database, members["Ops"][0], "results", policy, now + CLOSED)
    assert "shown to each team's manager and to admins" in member_view and "Ops:" not in member_view
    assert "to admins" in await _command(database, members["Ops"][0], "results Lab", policy, now + CLOSED)
    async with database.transaction() as session:
        admin = await people_store.person_by_email(session, email=BOSS)
        assert admin is not None
        admin.is_admin = True
        await people_store.save(session, admin)
    admin_view = await _command(database, admin, "results", policy, now + CLOSED)
    assert "Whole organisation: 10 of 10 answered" in admin_view


async def test_a_small_team_and_its_next_smallest_sibling_are_hidden_from_everyone(
    database: Database, policy: Policy, now: datetime
) -> None:
    strict = with_threshold(policy, 5)
    async with database.transaction() as session:
        members = await seed_org(session, {"Big": 7, "Mid": 6, "Tiny": 3})
        await send_now(session, policy=strict, now=now)
    await answer_question(database, members["Big"], "enps", [9] * 7, strict, now)
    await answer_question(database, members["Mid"], "enps", [8] * 6, strict, now)
    await answer_question(database, members["Tiny"], "enps", [0, 0, 0], strict, now)
    async with database.transaction() as session:
        await close_now(session, now=now + timedelta(hours=1))
        report = await pulse_report(session, policy=strict, now=now + timedelta(hours=1))
    shown = {group.name: group.hidden for group in report.teams}
    assert shown == {"Big": False, "Mid": True, "Tiny": True}
    assert not report.organisation.hidden and report.organisation.answered == 16
    tiny_and_mid = report.team(members["Mid"][0].team_id or 0)
    assert tiny_and_mid is not None and tiny_and_mid.participation is None and tiny_and_mid.questions == ()
