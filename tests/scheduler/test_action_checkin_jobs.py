"""From a closed pulse to the check-in, through the pulse job with a test clock: the team proposes and votes an
action, its owner marks it done, and four weeks later the team is asked, anonymously, whether it helped; when the
check-in closes the team gets the answer and the driver's trend since the action started, shown also in `/pulse`,
the manager digest's commitments and `bravo actions list --json`. Each step happens once however often the job runs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import col, select

from handlers import actions as actions_api
from handlers.actions import actions_json, commitment_sections, commitments_by_team
from handlers.i18n import Translator
from handlers.messages import Card
from handlers.policy import Policy
from handlers.pulse import pulse_report, send_now
from scheduler.jobs import ScheduledJobs
from storage.db import Database
from storage.models import ActionCheckin, ActionProposal, Person, PulseQuestion, PulseRound, PulseRoundQuestion
from storage.models.actions import DONE
from tests.handlers.actions.support import as_person, card_of, choice_values, closed_pulse, posts
from tests.handlers.pulse.test_support import answer_button, answer_question, delivered_cards, tap
from tests.scheduler.support import config

RESULT = "action_checkin_result"
YES, SOMEWHAT, NO = 2, 1, 0


async def _round_questions(database: Database, round_id: int) -> list[PulseQuestion]:
    async with database.sessions() as session:
        statement = (
            select(PulseQuestion)
            .join(PulseRoundQuestion, col(PulseRoundQuestion.question_id) == col(PulseQuestion.id))
            .where(PulseRoundQuestion.round_id == round_id)
        )
        return list((await session.exec(statement)).all())


async def _committed_and_done(
    database: Database, policy: Policy, jobs: ScheduledJobs, team: list[Person], closing: datetime
) -> ActionProposal:
    """The invitation after the pulse closed, a proposal, four votes of six (committed at once), done by its owner."""
    await jobs.pulses(closing)
    [invitation] = await posts(database)
    [plan_id] = choice_values(card_of(invitation), "actions.propose")
    values = {"what": ("Demo day with a customer",), "owner": (str(team[1].id),), "due": ("14",)}
    await as_person(database, team[0], policy, closing, "form", "actions.propose.form", values, plan_id)
    [vote] = choice_values(card_of((await posts(database))[-1]), "actions.vote")
    for person in team[:4]:
        await as_person(database, person, policy, closing, "action", "actions.vote", vote)
    async with database.sessions() as session:
        proposal = (await session.exec(select(ActionProposal))).one()
    later = closing + timedelta(days=3)
    done = await as_person(database, team[1], policy, later, "action", "actions.done", str(proposal.id))
    assert done.card is not None and "Marked as done" in done.card.plain()
    async with database.sessions() as session:
        proposal = (await session.exec(select(ActionProposal))).one()
    assert proposal.status == DONE
    return proposal


async def _another_pulse(database: Database, policy: Policy, team: list[Person], at: datetime, purpose: int) -> None:
    """A later pulse asking every driver (purpose answered `purpose` by all), closed by the job."""
    async with database.transaction() as session:
        [started] = await send_now(session, policy=policy, now=at)
    for question in await _round_questions(database, started.id or 0):
        usual = {"agree5": 4, "emoji5": 4, "yesno": 1}.get(question.scale, 8)
        value = purpose if question.driver == "purpose" else usual
        await answer_question(database, team, question.key, [value] * len(team), policy, at)


async def _checkin_rounds(database: Database) -> int:
    async with database.sessions() as session:
        return len((await session.exec(select(PulseRound).where(PulseRound.kind == "checkin"))).all())


async def _checkin_card(database: Database, person: Person, policy: Policy) -> Card:
    async with database.sessions() as session:
        return (await delivered_cards(session, person, secret=policy.secret_key))[-1]


async def test_pulse_vote_done_then_the_checkin_four_weeks_later_shows_the_answer_and_the_trend(
    database: Database, policy: Policy, now: datetime
) -> None:
    policy = replace(policy, pulse_questions=10)  # every driver in each pulse, so purpose is measured again
    team = (await closed_pulse(database, policy, now, teams={"Engineering": 6}, answers={"purpose": 2}, close=False))[
        "Engineering"
    ]
    jobs = ScheduledJobs(database, config(), policy, owner="test")
    closing = now + timedelta(hours=policy.pulse_window_hours + 1)
    proposal = await _committed_and_done(database, policy, jobs, team, closing)
    done_at = proposal.done_at or closing

    second = closing + timedelta(days=7)
    await _another_pulse(database, policy, team, second, purpose=5)
    await jobs.pulses(second + timedelta(hours=policy.pulse_window_hours + 1))

    await jobs.pulses(done_at + timedelta(days=27))
    assert await _checkin_rounds(database) == 0
    due = done_at + timedelta(days=policy.action_checkin_days)
    await jobs.pulses(due)
    await jobs.pulses(due + timedelta(minutes=1))  # a second run asks nobody again
    cards = {person.id: await _checkin_card(database, person, policy) for person in team}
    assert all(card.title == "Check-in on your team's action" for card in cards.values())
    first = cards[team[0].id]
    assert "Demo day with a customer" in first.plain() and "Did this action help the team?" in first.plain()
    assert [choice.label for choice in first.choices] == ["Yes", "Somewhat", "No"]  # no comment on a check-in
    assert await _checkin_rounds(database) == 1
    async with database.sessions() as session:
        report = await pulse_report(session, policy=policy, now=due + timedelta(minutes=2))
    engineering = report.teams[0]
    assert engineering.closed and engineering.invited == 6  # the open check-in is not the team's pulse

    for person, value in zip(team, [YES, YES, YES, YES, SOMEWHAT, NO], strict=True):
        reply = await tap(database, person, answer_button(cards[person.id], value), policy, due + timedelta(hours=1))
        assert reply.card is not None and reply.card.title == "Check-in on your team's action"
    await jobs.pulses(due + timedelta(hours=1, minutes=1))  # everyone answered: closed and told at once
    await jobs.pulses(due + timedelta(hours=1, minutes=2))
    [result] = await posts(database, kind=RESULT)
    text = card_of(result).plain()
    assert result.channel == "team-engineering"
    assert "Did it help? Yes: 4, somewhat: 1, no: 1 (6 answers)." in text
    day = Translator("en").day
    assert f"Purpose: 2.5/10 before the action ({day(now.date())}), 10.0/10 since ({day(second.date())}): +7.5." in text

    later = due + timedelta(days=2)
    async with database.sessions() as session:
        report = await pulse_report(session, policy=policy, now=later)
        shown = await commitments_by_team(session, team_ids=None, now=later, policy=policy)
        listed = await actions_json(session, team_ids=None, policy=policy)
    assert report.teams[0].period is not None and not report.teams[0].period.startswith("checkin")
    digest = Card(sections=tuple(commitment_sections(Translator("en"), shown[proposal.team_id], team="Engineering")))
    assert "Yes: 4, somewhat: 1, no: 1" in digest.plain() and "+7.5" in digest.plain()
    pulse = await as_person(database, team[2], policy, later, "command", "pulse", "")
    assert pulse.card is not None and "Yes: 4, somewhat: 1, no: 1" in pulse.card.plain()
    checkin = listed[0]["checkin"]
    assert (checkin["status"], checkin["yes"], checkin["somewhat"], checkin["no"], checkin["answers"]) == (
        "closed",
        4,
        1,
        1,
        6,
    )
    assert checkin["trend"]["driver"] == "purpose" and checkin["trend"]["change"] == 7.5


async def test_a_checkin_with_too_few_answers_shows_no_number_when_its_window_ends(
    database: Database, policy: Policy, now: datetime
) -> None:
    team = (await closed_pulse(database, policy, now, teams={"Engineering": 6}, answers={"purpose": 2}, close=False))[
        "Engineering"
    ]
    jobs = ScheduledJobs(database, config(), policy, owner="test")
    closing = now + timedelta(hours=policy.pulse_window_hours + 1)
    proposal = await _committed_and_done(database, policy, jobs, team, closing)
    due = (proposal.done_at or closing) + timedelta(days=policy.action_checkin_days)
    await jobs.pulses(due)
    for person in team[:4]:
        card = await _checkin_card(database, person, policy)
        await tap(database, person, answer_button(card, YES), policy, due)
    await jobs.pulses(due + timedelta(days=1))
    assert await posts(database, kind=RESULT) == []  # still open: no result while it is
    ended = due + timedelta(days=policy.action_checkin_window_days)
    await jobs.pulses(ended)
    [result] = await posts(database, kind=RESULT)
    text = card_of(result).plain()
    assert "not enough answers to show (results appear with at least 5)" in text and "Yes:" not in text
    assert "Purpose: 2.5/10 before the action" in text and "not measured again since" in text
    async with database.sessions() as session:
        [listed] = await actions_json(session, team_ids=None, policy=policy)
        row = (await session.exec(select(ActionCheckin))).one()
    assert listed["checkin"]["hidden"] is True and "yes" not in listed["checkin"] and row.announced_at is not None


async def test_checkins_are_claimed_once_per_action_even_by_two_jobs(
    database: Database, policy: Policy, now: datetime
) -> None:
    team = (await closed_pulse(database, policy, now, teams={"Engineering": 6}, close=False))["Engineering"]
    jobs = ScheduledJobs(database, config(), policy, owner="test")
    closing = now + timedelta(hours=policy.pulse_window_hours + 1)
    proposal = await _committed_and_done(database, policy, jobs, team, closing)
    due = (proposal.done_at or closing) + timedelta(days=policy.action_checkin_days)
    other = ScheduledJobs(database, config(), policy, owner="other")
    await jobs.pulses(due)
    await other.pulses(due)
    async with database.transaction() as session:
        assert await actions_api.open_checkins(session, policy=policy, now=due + timedelta(days=3), owner="x") == 0
    questions = await posts(database, kind="pulse.question")
    assert len([row for row in questions if "Check-in" in card_of(row).title]) == len(team)
