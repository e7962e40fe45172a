"""Pulse queries on both engines: rounds are unique per period, respondents count once, answers change only from
their version, closing rewrites answers and respondents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from storage.db import Database
from storage.models import Person, PulseAnswer, PulseComment, PulseQuestion, Team
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store
from tests.conftest import both_engines

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


async def _round(database: Database) -> tuple[int, int, int]:
    async with database.transaction() as session:
        team = Team(name="Ops")
        session.add(team)
        await session.flush()
        person = Person(display_name="Ann", team_id=team.id)
        question = PulseQuestion(key="q", driver="tools", scale="agree5", text_en="Q?", text_fr="Q ?")
        session.add_all([person, question])
        await session.flush()
        pulse = await pulse_store.create_round(
            session,
            team_id=team.id or 0,
            period="2026-11-18",
            opened_at=NOW,
            closes_at=NOW + timedelta(hours=48),
            remind_at=NOW + timedelta(hours=24),
        )
        assert pulse is not None
        again = await pulse_store.create_round(
            session, team_id=team.id or 0, period="2026-11-18", opened_at=NOW, closes_at=NOW, remind_at=NOW
        )
        assert again is None
        await pulse_store.invite(session, round_id=pulse.id or 0, person_ids=[person.id or 0])
        return pulse.id or 0, question.id or 0, person.id or 0


@both_engines
async def test_participation_counts_and_reminder_and_close_claims_happen_once(database: Database) -> None:
    round_id, _question, person = await _round(database)
    async with database.transaction() as session:
        assert await pulse_store.participation_counts(session, round_ids=[round_id]) == {round_id: (1, 0)}
        assert await pulse_store.invited(session, round_id=round_id) == [person]
        assert [r.id for r in await pulse_store.invited_open_rounds(session, person_id=person)] == [round_id]
        for _ in range(2):  # a second (or concurrent) first answer counts once
            await pulse_store.add_respondent(session, round_id=round_id, key="k" * 64)
        assert await pulse_store.participation_counts(session, round_ids=[round_id]) == {round_id: (1, 1)}
        assert await pulse_store.participation_counts(session, round_ids=None) == {round_id: (1, 1)}  # every round
        assert await pulse_store.respondent_keys(session, round_id=round_id) == {"k" * 64}
        assert await pulse_store.rounds_to_remind(session, now=NOW + timedelta(hours=25))
        assert await pulse_store.claim_reminder(session, round_id=round_id)
        assert not await pulse_store.claim_reminder(session, round_id=round_id)
        assert await pulse_store.rounds_to_close(session, now=NOW + timedelta(hours=48))
        assert await pulse_store.claim_close(session, round_id=round_id)
        assert not await pulse_store.claim_close(session, round_id=round_id)
        await pulse_store.forget_respondent_keys(session, round_id=round_id)
        assert await pulse_store.participation_counts(session, round_ids=[round_id]) == {round_id: (1, 1)}
        assert "k" * 64 not in await pulse_store.respondent_keys(session, round_id=round_id)


@both_engines
async def test_closing_rewrites_answers_and_comments_without_hashes_and_keeps_conversations(database: Database) -> None:
    round_id, question, _person = await _round(database)
    async with database.transaction() as session:
        for value in (1, 2, 3, 4, 5):
            assert await pulse_answers.add_answer(
                session, round_id=round_id, question_id=question, ballot_hash=f"h{value}", value=value
            )
        assert not await pulse_answers.add_answer(
            session, round_id=round_id, question_id=question, ballot_hash="h1", value=5
        )
        comment = await pulse_answers.save_comment(
            session, PulseComment(round_id=round_id, question_id=question, ballot_hash="c1", text="More focus time")
        )
        await pulse_answers.add_followup(session, comment_id=comment.id, from_author=False, text="Noted")
    async with database.transaction() as session:
        await pulse_answers.rewrite_round_anonymously(session, round_id=round_id)
    async with database.sessions() as session:
        answers = (await session.exec(select(PulseAnswer))).all()
        comments = (await session.exec(select(PulseComment))).all()
        assert sorted(a.value for a in answers) == [1, 2, 3, 4, 5]
        assert all(a.ballot_hash is None for a in answers)
        assert [(c.id, c.text, c.ballot_hash) for c in comments] == [(comment.id, "More focus time", None)]
        assert [f.text for f in await pulse_answers.followups(session, comment_id=comment.id)] == ["Noted"]


@both_engines
async def test_an_answer_changes_only_from_the_version_its_card_showed(database: Database) -> None:
    round_id, question, _person = await _round(database)
    async with database.transaction() as session:
        assert await pulse_answers.add_answer(
            session, round_id=round_id, question_id=question, ballot_hash="h", value=1
        )
        assert not await pulse_answers.change_answer(session, ballot_hash="h", value=5, version=0)
        assert await pulse_answers.change_answer(session, ballot_hash="h", value=2, version=1)
        assert not await pulse_answers.change_answer(session, ballot_hash="h", value=5, version=1)
    async with database.sessions() as session:
        assert (await session.exec(select(PulseAnswer.value, PulseAnswer.version))).all() == [(2, 2)]


@both_engines
async def test_round_questions_in_the_order_asked_for_some_rounds_or_every_round(database: Database) -> None:
    round_id, question, _person = await _round(database)
    async with database.transaction() as session:
        other = PulseQuestion(key="q2", driver="goals", scale="agree5", text_en="Q2?", text_fr="Q2 ?")
        session.add(other)
        await session.flush()
        await pulse_store.add_round_questions(session, round_id=round_id, question_ids=[other.id or 0, question])
        expected = [other.id or 0, question]
        assert await pulse_store.round_question_ids(session, round_ids=[round_id, 999]) == {round_id: expected, 999: []}
        assert await pulse_store.round_question_ids(session, round_ids=None) == {round_id: expected}
