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
from handlers.actions import actions_json, checkin_texts
from handlers.i18n import Translator
from handlers.messages import Card
from handlers.policy import Policy
from handlers.pulse import pulse_report, send_now
from scheduler import runs
from scheduler.jobs import ScheduledJobs
from storage import people as people_store
from storage.db import Database
from storage.models import ActionCheckin, ActionProposal, Person, PulseQuestion, PulseRound, PulseRoundQuestion
from storage.models.actions import DONE
from tests.handlers.actions.support import as_person, card_of, choice_values, closed_pulse, posts
from tests.handlers.pulse.test_support import answer_button, answer_question, delivered_cards, tap
from tests.scheduler.support import config, queued

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


async def _done_action(
    database: Database, policy: Policy, now: datetime
) -> tuple[list[Person], ScheduledJobs, ActionProposal, datetime]:
    """Engineering (6, purpose low) asked a pulse that the job closes; the invitation, a proposal, four votes of six
    (committed at once), and the action done by its owner. Returns the team, the jobs, the action and when it closed."""
    answered = await closed_pulse(database, policy, now, teams={"Engineering": 6}, answers={"purpose": 2}, close=False)
    team = answered["Engineering"]
    jobs = ScheduledJobs(database, config(), policy, owner="test")
    closing = now + timedelta(hours=policy.pulse_window_hours + 1)
    return team, jobs, await _committed_and_done(database, policy, jobs, team, closing), closing


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
    team, jobs, proposal, closing = await _done_action(database, policy, now)
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
    asked = await as_person(database, team[3], policy, due + timedelta(minutes=2), "command", "pulse", "")
    assert asked.card is not None and asked.card.title == "Check-in on your team's action"
    assert "Check-in open until" in asked.card.plain() and "0 of 6 have answered so far." in asked.card.plain()

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

    await _shown_everywhere(database, policy, team, later=due + timedelta(days=5))


async def _shown_everywhere(database: Database, policy: Policy, team: list[Person], *, later: datetime) -> None:
    """Days after the check-in closed (and over 30 days after the action was done), its answer and trend are in the
    manager digest's commitments, `/pulse` and `--json`; the pulse results are still the pulse's."""
    async with database.sessions() as session:
        report = await pulse_report(session, policy=policy, now=later)
        listed = await actions_json(session, team_ids=None, policy=policy, now=later)
    assert report.teams[0].period is not None and not report.teams[0].period.startswith("checkin")
    await runs.send_digests(database, config=config(leaderboard=None), policy=policy, now=later, force=True, owner="t")
    [digest] = await queued(database, kind="manager_digest")
    assert "Yes: 4, somewhat: 1, no: 1" in card_of(digest).plain() and "+7.5" in card_of(digest).plain()
    pulse = await as_person(database, team[2], policy, later, "command", "pulse", "")
    assert pulse.card is not None and "Yes: 4, somewhat: 1, no: 1" in pulse.card.plain()
    checkin = listed[0]["checkin"]
    shown = (checkin["status"], checkin["yes"], checkin["somewhat"], checkin["no"], checkin["answers"])
    assert shown == ("closed", 4, 1, 1, 6)
    assert checkin["trend"]["driver"] == "purpose" and checkin["trend"]["change"] == 7.5


async def test_a_checkin_with_too_few_answers_shows_no_number_when_its_window_ends(
    database: Database, policy: Policy, now: datetime
) -> None:
    team, jobs, proposal, closing = await _done_action(database, policy, now)
    due = (proposal.done_at or closing) + timedelta(days=policy.action_checkin_days)
    async with database.transaction() as session:
        french = await people_store.get_person(session, person_id=team[5].id or 0)
        assert french is not None
        french.language = "fr"
        await people_store.save(session, french)
    await jobs.pulses(due)
    card = await _checkin_card(database, team[5], policy)
    assert card.title == "Point d'étape sur l'action de votre équipe"
    assert [choice.label for choice in card.choices] == ["Oui", "Un peu", "Non"]
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
        [listed] = await actions_json(session, team_ids=None, policy=policy, now=ended)
        row = (await session.exec(select(ActionCheckin))).one()
    assert listed["checkin"]["hidden"] is True and "yes" not in listed["checkin"] and row.announced_at is not None


async def test_checkins_are_claimed_once_per_action_even_by_two_jobs(
    database: Database, policy: Policy, now: datetime
) -> None:
    team, jobs, proposal, closing = await _done_action(database, policy, now)
    due = (proposal.done_at or closing) + timedelta(days=policy.action_checkin_days)
    other = ScheduledJobs(database, config(), policy, owner="other")
    await jobs.pulses(due)
    await other.pulses(due)
    async with database.transaction() as session:
        assert await actions_api.open_checkins(session, policy=policy, now=due + timedelta(days=3), owner="x") == 0
    questions = await posts(database, kind="pulse.question")
    assert len([row for row in questions if "Check-in" in card_of(row).title]) == len(team)


async def test_an_action_done_long_before_its_checkin_was_due_gets_none(
    database: Database, policy: Policy, now: datetime
) -> None:
    team, jobs, proposal, closing = await _done_action(database, policy, now)
    late = (proposal.done_at or closing) + timedelta(days=policy.action_checkin_days + 31)
    await jobs.pulses(late)  # the first run after a long downtime, or the first since an upgrade
    assert await _checkin_rounds(database) == 0
    async with database.sessions() as session:
        [listed] = await actions_json(session, team_ids=None, policy=policy, now=late)
        [text] = (await checkin_texts(session, team_ids=None, policy=policy, now=late, t=Translator("en"))).values()
    assert listed["checkin"]["status"] == "missed" and text == ["No check-in: Bravo was not running when it was due."]
