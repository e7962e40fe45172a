"""Pulse rounds end to end through the core: send, tap, change, late taps, reminders, closing, results."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import col, func, select, update

from handlers.messages import Card
from handlers.policy import Policy
from handlers.pulse import close_expired, pulse_report, report_json, send_now, send_reminders
from handlers.pulse.cards import ANSWER_ACTION, QUESTION_KIND, REMINDER_KIND, SHOW_ACTION
from handlers.pulse.tokens import parse_answer, stored_key
from storage.db import Database
from storage.models import OutboxMessage, PulseAnswer, PulseParticipation, PulseRespondent, PulseRound
from tests.conftest import TEST_SECRET_KEY, both_engines
from tests.handlers.pulse.test_support import (
    answer_button,
    answer_question,
    choice_value,
    delivered_cards,
    question_card_for,
    seed_org,
    tap,
)

pytestmark = both_engines


async def _count(database: Database, model: type, *where: object) -> int:
    async with database.sessions() as session:
        statement = select(func.count()).select_from(model)
        for condition in where:
            statement = statement.where(condition)  # type: ignore[arg-type]
        return int((await session.exec(statement)).one())


@pytest.fixture
async def org(database: Database, policy: Policy, now: datetime) -> dict[str, list]:
    async with database.transaction() as session:
        members = await seed_org(session, {"Engineering": 6, "Sales": 2})
        started = await send_now(session, policy=policy, now=now)
    assert len(started) == 2
    return members


async def test_send_now_queues_one_message_per_member_whose_buttons_wait_for_their_token(
    database: Database, org: dict[str, list]
) -> None:
    everyone = org["Engineering"] + org["Sales"]
    async with database.sessions() as session:
        for person in everyone:
            cards = await delivered_cards(session, person)
            assert [card.title for card in cards] == ["Pulse check: question 1 of 3"]
            assert "How likely are you to recommend working here?" in cards[0].plain()
    assert await _count(database, PulseParticipation) == 8
    assert await _count(database, PulseRespondent) == 0
    assert await _count(database, OutboxMessage, OutboxMessage.kind == QUESTION_KIND) == 8
    async with database.sessions() as session:
        payloads = (await session.exec(select(OutboxMessage.payload))).all()
    choices = [c for p in payloads for c in Card.model_validate_json(p).choices if c.action == ANSWER_ACTION]
    answers = [parse_answer(choice.value) for choice in choices]
    assert answers and all(found is not None and found[0].token == "" for found in answers)


async def test_six_answers_give_the_hand_computed_average_and_enps_and_the_team_of_two_stays_hidden(
    database: Database, org: dict[str, list], policy: Policy, now: datetime
) -> None:
    await answer_question(database, org["Engineering"], "enps", [10, 9, 9, 7, 3, 0], policy, now)
    async with database.sessions() as session:
        report = report_json(await pulse_report(session, policy=policy, now=now + timedelta(hours=49)), "en")
    teams = {team["team"]: team for team in report["teams"]}
    engineering, sales = teams["Engineering"], teams["Sales"]
    assert engineering["hidden"] is False and engineering["participation"] == 1.0
    enps = next(question for question in engineering["questions"] if question["id"] == "enps")
    assert enps["responses"] == 6
    assert enps["average"] == pytest.approx(38 / 6, abs=0.005)
    assert enps["enps"] == 16.7
    assert enps["distribution"] == {str(v): {10: 1, 9: 2, 7: 1, 3: 1, 0: 1}.get(v, 0) for v in range(11)}
    others = [question for question in engineering["questions"] if question["id"] != "enps"]
    assert others and all(question["hidden"] and "average" not in question for question in others)
    assert sales == {"team": "Sales", "hidden": True, "questions": []}


async def test_a_second_tap_replaces_the_answer(
    database: Database, org: dict[str, list], policy: Policy, now: datetime
) -> None:
    person = org["Engineering"][0]
    card = await question_card_for(database, person, "enps", policy, now)
    first = await tap(database, person, answer_button(card, 3), policy, now)
    assert first.card is not None and first.card.title == "Pulse check: question 2 of 3"
    assert "your answer to the previous question is saved" in first.card.plain()
    back = await tap(database, person, choice_value(first.card, SHOW_ACTION), policy, now, action=SHOW_ACTION)
    assert back.card is not None and "Your answer: 3" in back.card.plain()
    second = await tap(database, person, answer_button(back.card, 8), policy, now + timedelta(minutes=5))
    assert second.card is not None and second.card.title == "Pulse check: question 2 of 3"
    again = await tap(database, person, choice_value(second.card, SHOW_ACTION), policy, now, action=SHOW_ACTION)
    assert again.card is not None and again.card.title == "Pulse check: question 1 of 3"
    assert "Your answer: 8" in again.card.plain()
    async with database.sessions() as session:
        assert (await session.exec(select(PulseAnswer.value, PulseAnswer.version))).all() == [(8, 2)]
    assert await _count(database, PulseRespondent) == 1


async def test_a_replayed_or_stale_tap_changes_nothing_and_shows_the_card_as_it_is(
    database: Database, org: dict[str, list], policy: Policy, now: datetime
) -> None:
    person = org["Engineering"][0]
    card = await question_card_for(database, person, "enps", policy, now)
    first = await tap(database, person, answer_button(card, 3), policy, now)
    assert first.card is not None
    again = await tap(database, person, answer_button(card, 3), policy, now)
    assert again.card is not None and again.card.title == "Pulse check: question 2 of 3"
    shown = await tap(database, person, answer_button(card, 5), policy, now)
    assert shown.replace_original and shown.card is not None
    assert shown.card.title == "Pulse check: question 1 of 3" and "Your answer: 3" in shown.card.plain()
    async with database.sessions() as session:
        assert (await session.exec(select(PulseAnswer.value, PulseAnswer.version))).all() == [(3, 1)]
    assert await _count(database, PulseRespondent) == 1


async def test_an_answer_is_stored_under_a_key_made_with_the_secret_and_no_token_is_stored(
    database: Database, org: dict[str, list], policy: Policy, now: datetime
) -> None:
    person = org["Engineering"][0]
    card = await question_card_for(database, person, "enps", policy, now)
    button = answer_button(card, 9)
    parsed = parse_answer(button)
    assert parsed is not None and parsed[0].token
    await tap(database, person, button, policy, now)
    async with database.sessions() as session:
        payloads = (await session.exec(select(OutboxMessage.payload))).all()
        answer = (await session.exec(select(PulseAnswer))).one()
        respondent = (await session.exec(select(PulseRespondent))).one()
    assert not any(parsed[0].token in payload for payload in payloads)
    round_id, question_id, person_id = parsed[0].round_id, answer.question_id, person.id or 0
    assert answer.ballot_hash == stored_key(TEST_SECRET_KEY, "answer", round_id, person_id, question_id)
    assert respondent.key == stored_key(TEST_SECRET_KEY, "respondent", round_id, person_id)


async def test_a_tap_after_the_window_is_refused_and_changes_nothing(
    database: Database, org: dict[str, list], policy: Policy, now: datetime
) -> None:
    person = org["Engineering"][0]
    card = await question_card_for(database, person, "enps", policy, now)
    await tap(database, person, answer_button(card, 9), policy, now)
    late = now + timedelta(hours=49)
    refused = await tap(database, person, answer_button(card, 2), policy, late)
    assert refused.replace_original and refused.card is not None
    assert "closed" in refused.card.plain() and not refused.card.choices
    never = org["Engineering"][1]
    other = await question_card_for(database, never, "enps", policy, now)
    closed = await tap(database, never, answer_button(other, 5), policy, late)
    assert closed.card is not None and "closed" in closed.card.plain()
    async with database.sessions() as session:
        assert (await session.exec(select(PulseAnswer.value))).all() == [9]


async def test_closing_erases_the_keys_and_strips_buttons(
    database: Database, org: dict[str, list], policy: Policy, now: datetime
) -> None:
    await answer_question(database, org["Engineering"][:2], "enps", [9, 4], policy, now)
    engineering_ids = [person.id for person in org["Engineering"]]
    async with database.transaction() as session:
        delivered = update(OutboxMessage).where(col(OutboxMessage.person_id).in_(engineering_ids))
        await session.exec(delivered.values(status="sent"))
    async with database.transaction() as session:
        assert await close_expired(session, now=now + timedelta(hours=48, seconds=1)) == 2
    async with database.sessions() as session:
        keys = set((await session.exec(select(PulseRespondent.key))).all())
        answers = (await session.exec(select(PulseAnswer))).all()
        rounds = (await session.exec(select(PulseRound))).all()
        cards = await delivered_cards(session, org["Engineering"][3])
    assert sorted(answer.value for answer in answers) == [4, 9]
    assert all(answer.ballot_hash is None for answer in answers)
    secret_keys = {
        stored_key(TEST_SECRET_KEY, "respondent", r.id or 0, p.id or 0) for r in rounds for p in org["Engineering"]
    }
    assert len(keys) == 2 and not keys & secret_keys
    assert all(pulse.closed for pulse in rounds)
    assert len(cards) == 1 and all(not card.choices for card in cards)
    assert await _count(database, OutboxMessage, col(OutboxMessage.person_id).not_in(engineering_ids)) == 0
    async with database.transaction() as session:
        assert await close_expired(session, now=now + timedelta(hours=50)) == 0


async def test_one_reminder_goes_only_to_those_who_have_not_answered(
    database: Database, org: dict[str, list], policy: Policy, now: datetime
) -> None:
    engineering = org["Engineering"]
    await answer_question(database, engineering[:4], "enps", [9, 9, 9, 9], policy, now)
    later = now + timedelta(hours=25)
    async with database.transaction() as session:
        assert await send_reminders(session, policy=policy, now=later) == 4
    async with database.transaction() as session:
        assert await send_reminders(session, policy=policy, now=later + timedelta(hours=1)) == 0
    async with database.sessions() as session:
        reminded = {
            row.person_id
            for row in (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == REMINDER_KIND))).all()
        }
        cards = await delivered_cards(session, engineering[4], kinds=(REMINDER_KIND,))
    assert reminded == {engineering[4].id, engineering[5].id, org["Sales"][0].id, org["Sales"][1].id}
    assert len(cards) == 1 and cards[0].title == "Reminder: pulse check, question 1 of 3"
    reply = await tap(database, engineering[4], answer_button(cards[0], 4), policy, later)
    assert reply.card is not None and "previous question is saved" in reply.card.plain()


async def test_someone_elses_ballot_is_refused(
    database: Database, org: dict[str, list], policy: Policy, now: datetime
) -> None:
    owner, other = org["Engineering"][:2]
    card = await question_card_for(database, owner, "enps", policy, now)
    refused = await tap(database, other, answer_button(card, 9), policy, now)
    assert refused.card is not None and "someone else" in refused.card.plain()
    assert await _count(database, PulseAnswer) == 0


async def test_results_wait_for_the_round_to_close(
    database: Database, org: dict[str, list], policy: Policy, now: datetime
) -> None:
    await answer_question(database, org["Engineering"][:5], "enps", [9, 9, 9, 9, 9], policy, now)
    async with database.sessions() as session:
        during = await pulse_report(session, policy=policy, now=now)
        after = await pulse_report(session, policy=policy, now=now + timedelta(hours=49))
    assert not during.teams[0].closed and (during.teams[0].answered, during.teams[0].invited) == (5, 6)
    assert during.teams[0].questions == () and during.teams[0].drivers == ()
    engineering = after.teams[0]
    assert not engineering.hidden and engineering.participation == pytest.approx(5 / 6)
