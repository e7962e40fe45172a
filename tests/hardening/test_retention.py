"""Retention and the right to be forgotten: old words go, numbers stay.

Kudos reasons older than `BRAVO_KUDOS_TEXT_RETENTION_DAYS` become a marker, comments of pulses closed longer than
`BRAVO_COMMENT_RETENTION_DAYS` ago are deleted with their replies, delivered copies are emptied; points, values,
leaderboards and pulse results read the same. `bravo privacy forget` removes a person's ballots and "has answered"
records and leaves every anonymous answer and aggregate untouched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select, update

from bot.cli import build_parser
from bot.config import SettingsError, load_settings
from bot.runtime import open_runtime
from handlers.delivery import channel_delivery, queue
from handlers.i18n import Translator
from handlers.kudos.leaderboard import build_leaderboard
from handlers.messages import Card, text_card
from handlers.policy import Policy
from handlers.privacy import forget_person, privacy_reply
from handlers.pulse import close_now, pulse_report, send_now
from handlers.pulse.results import PulseReport
from handlers.retention import apply_retention
from scheduler.jobs import ScheduledJobs
from storage import people as people_store
from storage.db import Database
from storage.models import (
    Kudos,
    KudosValue,
    OutboxMessage,
    Person,
    PulseAnswer,
    PulseComment,
    PulseFollowup,
    PulseParticipation,
    PulseRoundQuestion,
)
from storage.models.delivery import PENDING, SENT
from storage.pulse import rounds as pulse_store
from tests.conftest import both_engines
from tests.handlers.pulse.test_support import answer_question, seed_org
from tests.hardening.support import count
from tests.scheduler.support import config, give

DAY = timedelta(days=1)


@dataclass
class History:
    """Two teams with kudos and pulses 100 days old (Ops, closed long ago) and recent (Lab, closed 10 days ago)."""

    database: Database
    policy: Policy
    now: datetime
    ops: list[Person]
    lab: list[Person]


async def _comment(database: Database, team: Person, text: str) -> str:
    async with database.transaction() as session:
        (pulse,) = await pulse_store.open_rounds(session, team_id=team.team_id or 0)
        rows = await session.exec(select(PulseRoundQuestion).where(PulseRoundQuestion.round_id == pulse.id))
        question = rows.first()
        assert question is not None
        comment = PulseComment(round_id=pulse.id or 0, question_id=question.question_id, text=text)
        session.add(comment)
        await session.flush()
        session.add(PulseFollowup(comment_id=comment.id, position=0, from_author=False, text=f"re: {text}"))
    return comment.id


@pytest.fixture
async def history(database: Database, policy: Policy, now: datetime) -> AsyncIterator[History]:
    retained = replace(policy, kudos_text_retention_days=30, comment_retention_days=60, language="fr")
    long_ago = now - 100 * DAY
    async with database.transaction() as session:
        members = await seed_org(session, {"Ops": 5, "Lab": 5})
        ops, lab = members["Ops"], members["Lab"]
        await give(session, ops[0], [ops[1]], at=long_ago, message="old secret praise", values=["teamwork"], points=3)
        await give(session, ops[2], [lab[0]], at=long_ago + DAY, message="", points=1)
        await give(session, lab[1], [ops[3]], at=now - 5 * DAY, message="fresh praise", values=["courage"])
        await send_now(session, policy=retained, now=long_ago)
    await answer_question(database, ops, "enps", [9, 9, 8, 7, 3], retained, long_ago)
    await answer_question(database, lab, "enps", [10, 6, 6, 8, 9], retained, long_ago)
    await _comment(database, ops[0], "old comment")
    await _comment(database, lab[0], "recent comment")
    async with database.transaction() as session:
        await close_now(session, now=long_ago + 2 * DAY, team_ids=[ops[0].team_id or 0])
        await close_now(session, now=now - 10 * DAY, team_ids=[lab[0].team_id or 0])
        for channel, status, age in (("COLD", SENT, 40), ("CWAIT", PENDING, 40), ("CNEW", SENT, 2)):
            card = text_card(f"secret copy for {channel}")
            await queue(session, [channel_delivery(platform="slack", channel=channel, card=card, kind="post")])
            await session.exec(
                update(OutboxMessage)
                .where(OutboxMessage.channel == channel)
                .values(status=status, created_at=now - age * DAY)
            )
    yield History(database, retained, now, ops, lab)


def numbers(report: PulseReport) -> list[Any]:
    """Everything a pulse report counts, without its comments."""
    return [
        (
            group.name,
            group.hidden,
            group.invited,
            group.answered,
            [(item.question.id, item.hidden, item.stats) for item in group.questions],
            group.drivers,
        )
        for group in (*report.teams, report.organisation)
    ]


async def snapshot(history: History) -> tuple[list[Any], list[Any], list[Any]]:
    async with history.database.sessions() as session:
        report = await pulse_report(session, policy=history.policy, now=history.now)
        board = await build_leaderboard(session, history.policy, period="all", now=history.now, include_people=True)
        values = sorted((row.kudos_id, row.value) for row in (await session.exec(select(KudosValue))).all())
        answers = sorted(
            (row.round_id, row.question_id, row.value) for row in (await session.exec(select(PulseAnswer)))
        )
    return numbers(report), [board.teams, board.people, values], answers


@both_engines
async def test_old_words_go_and_every_number_stays(history: History) -> None:
    before = await snapshot(history)
    async with history.database.transaction() as session:
        report = await apply_retention(session, policy=history.policy, now=history.now)
    assert (report.kudos_reasons, report.comments, report.replies, report.deliveries) == (1, 1, 1, 1)
    assert await snapshot(history) == before
    reasons = [row.message for row in await _all_kudos(history)]
    assert reasons == ["(raison effacée au bout de 30 jours)", "", "fresh praise"]
    async with history.database.sessions() as session:
        comments = (await session.exec(select(PulseComment.text))).all()
        replies = (await session.exec(select(PulseFollowup.text))).all()
        payloads = {row.channel: row.payload for row in (await session.exec(select(OutboxMessage))).all()}
    assert list(comments) == ["recent comment"] and list(replies) == ["re: recent comment"]
    assert "secret copy" not in payloads["COLD"] and "30 jours" in Card.model_validate_json(payloads["COLD"]).plain()
    assert "secret copy" in payloads["CWAIT"] and "secret copy" in payloads["CNEW"]
    async with history.database.transaction() as session:
        again = await apply_retention(session, policy=history.policy, now=history.now)
    assert (again.kudos_reasons, again.comments, again.replies, again.deliveries) == (0, 0, 0, 0)


async def _all_kudos(history: History) -> list[Kudos]:
    async with history.database.sessions() as session:
        return list((await session.exec(select(Kudos).order_by(col(Kudos.id)))).all())


async def test_without_limits_nothing_is_removed(history: History) -> None:
    keep = replace(history.policy, kudos_text_retention_days=0, comment_retention_days=0)
    async with history.database.transaction() as session:
        report = await apply_retention(session, policy=keep, now=history.now)
    assert report == type(report)()
    assert "old secret praise" in {row.message for row in await _all_kudos(history)}
    assert await count(history.database, PulseComment) == 2


async def test_the_daily_job_runs_once_a_day_and_is_counted(history: History) -> None:
    runs: list[tuple[str, str]] = []
    jobs = ScheduledJobs(
        history.database,
        config(),
        history.policy,
        owner="test",
        on_run=lambda job, outcome: runs.append((job, outcome)),
    )
    assert await jobs.retention(history.now) == 4
    assert await jobs.retention(history.now + timedelta(hours=1)) == 0
    assert runs == [("retention", "ok"), ("retention", "ok")]
    assert "old secret praise" not in {row.message for row in await _all_kudos(history)}
    await jobs.tick(history.now)
    assert runs[-1] == ("tick", "ok")


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, (0, 0)), ({"BRAVO_KUDOS_TEXT_RETENTION_DAYS": "365", "BRAVO_COMMENT_RETENTION_DAYS": "90"}, (365, 90))],
)
def test_retention_settings(
    env: dict[str, str], expected: tuple[int, int], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    for name in ("BRAVO_KUDOS_TEXT_RETENTION_DAYS", "BRAVO_COMMENT_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    policy = load_settings(_env_file=None).policy()
    assert (policy.kudos_text_retention_days, policy.comment_retention_days) == expected
    monkeypatch.setenv("BRAVO_COMMENT_RETENTION_DAYS", "-1")
    with pytest.raises(SettingsError, match="BRAVO_COMMENT_RETENTION_DAYS"):
        load_settings(_env_file=None)


async def test_bravo_privacy_retention_shows_and_applies_the_limits(
    history: History, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name in ("SLACK_BOT_TOKEN", "MICROSOFT_APP_ID", "TEAMS_ALLOW_UNAUTHENTICATED"):
        monkeypatch.delenv(name, raising=False)

    async def bravo(*argv: str, **env: str) -> str:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        args = build_parser().parse_args(list(argv))
        async with open_runtime(load_settings(_env_file=None)) as runtime:
            assert await args.func(args, runtime) == 0
        return capsys.readouterr().out

    off = await bravo("privacy", "retention", BRAVO_KUDOS_TEXT_RETENTION_DAYS="0", BRAVO_COMMENT_RETENTION_DAYS="0")
    assert "Retention is off" in off
    shown = await bravo("privacy", "retention", BRAVO_KUDOS_TEXT_RETENTION_DAYS="30", BRAVO_COMMENT_RETENTION_DAYS="60")
    assert "kept 30 days" in shown and "once a day" in shown
    assert "old secret praise" in {row.message for row in await _all_kudos(history)}
    applied = await bravo("privacy", "retention", "--now")
    assert "1 kudos reasons removed, 1 comments and 1 replies deleted" in applied
    assert "old secret praise" not in {row.message for row in await _all_kudos(history)}


def test_the_privacy_card_says_how_long_words_are_kept() -> None:
    kept = privacy_reply(Translator("en"), Policy()).card
    limited = privacy_reply(Translator("fr"), Policy(kudos_text_retention_days=90, comment_retention_days=30)).card
    assert kept is not None and "kept until you ask" in kept.plain()
    assert limited is not None and "au bout de 90 jours" in limited.plain() and "30 jours après" in limited.plain()


@both_engines
async def test_forgetting_someone_removes_their_invitations_not_the_answers(
    database: Database, policy: Policy, now: datetime
) -> None:
    async with database.transaction() as session:
        members = await seed_org(session, {"Ops": 6})
        await send_now(session, policy=policy, now=now)
    ops = members["Ops"]
    await answer_question(database, ops, "enps", [10, 9, 9, 8, 7, 3], policy, now)
    leaver = ops[0]
    async with database.sessions() as session:
        answers = sorted((row.question_id, row.value) for row in (await session.exec(select(PulseAnswer))).all())
    async with database.transaction() as session:
        person = await people_store.get_person(session, person_id=leaver.id or 0)
        assert person is not None
        await forget_person(session, person=person, t=Translator("en"))
    async with database.sessions() as session:
        marks = select(PulseParticipation).where(PulseParticipation.person_id == leaver.id)
        assert (await session.exec(marks)).all() == []
        after = sorted((row.question_id, row.value) for row in (await session.exec(select(PulseAnswer))).all())
    assert after == answers
    async with database.transaction() as session:
        await close_now(session, now=now + DAY)
    async with database.sessions() as session:
        closed = await pulse_report(session, policy=policy, now=now + DAY)
    group = closed.team(leaver.team_id or 0)
    assert group is not None and (group.invited, group.answered) == (5, 5)
    (enps,) = [item for item in group.questions if item.question.key == "enps"]
    assert enps.stats is not None and enps.stats.responses == 6 and enps.stats.enps == pytest.approx(100 * (3 - 1) / 6)
