"""Team action plans end to end through the core: results out, the invitation posted, proposals, votes,
commitments shown where people look, the owner's reminder and the one tap that marks an action done."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from handlers.actions import decide_due, send_reminders
from handlers.messages import Card
from handlers.policy import Policy
from handlers.sealing import open_payload, open_person
from scheduler import runs
from storage import people as people_store
from storage.db import Database
from storage.models import ActionPlan, ActionProposal, Person
from storage.models.actions import COMMITTED, DECIDED, DONE, PROPOSED
from tests.conftest import both_engines
from tests.handlers.actions.support import as_person, card_of, choice_values, closed_pulse, open_plans_now, posts
from tests.scheduler.support import config, queued

PROPOSE, VOTE, DONE_TAP, FORM = "actions.propose", "actions.vote", "actions.done", "actions.propose.form"


@pytest.fixture
async def team(database: Database, policy: Policy, now: datetime) -> list[Person]:
    """Engineering (6) answered a pulse where purpose is low; the pulse is closed and the plan opened."""
    members = await closed_pulse(database, policy, now, teams={"Engineering": 6}, answers={"purpose": 2})
    assert await open_plans_now(database, policy, now) == 1
    return members["Engineering"]


async def _plan(database: Database) -> ActionPlan:
    async with database.sessions() as session:
        return (await session.exec(select(ActionPlan))).one()


async def _propose(
    database: Database, person: Person, owner: Person, policy: Policy, now: datetime, what: str, weeks: int = 2
) -> Card:
    plan = await _plan(database)
    form = (await as_person(database, person, policy, now, "action", PROPOSE, str(plan.id))).form
    assert form is not None and [item.name for item in form.inputs] == ["what", "owner", "due"]
    values = {"what": (what,), "owner": (str(owner.id),), "due": (str(weeks * 7),)}
    answer = await as_person(database, person, policy, now, "form", form.action, values, form.metadata)
    assert answer.card is not None and not answer.public and not answer.replace_original
    return answer.card


@both_engines
async def test_when_results_are_out_the_team_channel_gets_its_scores_weakest_pillar_ideas_and_a_propose_button(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    [row] = await posts(database)
    card = card_of(row)
    assert row.channel == "team-engineering" and row.person_id is None
    text = card.plain()
    assert "Purpose: 2.5/10" in text and "Goals: 7.5/10" in text and "eNPS" not in text
    assert "Weakest pillar: Wanting to, with Purpose at 2.5/10." in text
    assert "What could we do ourselves about Purpose?" in text
    assert "Start each sprint by saying which customer problem it solves" in text
    assert [choice.action for choice in card.choices] == [PROPOSE]
    assert await open_plans_now(database, policy, now + timedelta(minutes=5)) == 0  # once per team and pulse
    assert len(await posts(database)) == 1


async def test_a_team_hidden_by_the_threshold_gets_no_plan_and_no_figure(
    database: Database, policy: Policy, now: datetime
) -> None:
    await closed_pulse(database, policy, now, teams={"Engineering": 6, "Product": 5, "Sales": 2})
    assert await open_plans_now(database, policy, now) == 1
    async with database.sessions() as session:
        plans = (await session.exec(select(ActionPlan))).all()
        shown = await people_store.get_team(session, team_id=plans[0].team_id)
    assert len(plans) == 1 and shown is not None and shown.name == "Engineering"  # Product hides Sales by subtraction
    assert [row.channel for row in await posts(database)] == ["team-engineering"]


async def test_a_team_without_a_channel_gets_the_invitation_in_each_members_direct_message_in_their_language(
    database: Database, policy: Policy, now: datetime
) -> None:
    members = (await closed_pulse(database, policy, now, teams={"Engineering": 6}))["Engineering"]
    async with database.transaction() as session:
        for index, member in enumerate(members):
            person = await people_store.get_person(session, person_id=member.id or 0)
            assert person is not None
            person.slack_id, person.language = f"U{index}", "fr" if index == 0 else None
            await people_store.save(session, person)
    assert await open_plans_now(database, replace(policy, platforms=("slack",)), now) == 1
    rows = await posts(database)
    assert all(row.person_id is None and row.sealed_to for row in rows)  # sealed: queued at close, naming nobody
    opened = {open_person(policy.secret_key, row.sealed_to or ""): row for row in rows}
    assert sorted(opened) == sorted(member.id for member in members)
    payload = open_payload(policy.secret_key, opened[members[0].id].payload)
    assert (
        payload is not None and "Que pourrions-nous faire nous-mêmes pour" in Card.model_validate_json(payload).plain()
    )


async def test_a_member_proposes_an_action_and_the_team_channel_gets_the_vote(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    mine = await _propose(database, team[0], team[1], policy, now, "Invite a customer to our demo")
    assert "Proposed to your team: Invite a customer to our demo." in mine.plain()
    vote = card_of((await posts(database))[-1])
    assert "Invite a customer to our demo: @Engineering 2, by" in vote.plain()
    assert "(0 votes)" in vote.plain()
    assert len(choice_values(vote, VOTE)) == 1 and choice_values(vote, PROPOSE)
    async with database.sessions() as session:
        proposal = (await session.exec(select(ActionProposal))).one()
    assert (proposal.owner_id, proposal.status, proposal.due_on) == (team[1].id, PROPOSED, now.date() + timedelta(14))


async def test_bad_proposals_get_a_friendly_answer_and_store_nothing(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    plan = await _plan(database)
    cases = [
        ({"what": ("  ",), "owner": (str(team[1].id),), "due": ("14",)}, "Say what the team will do."),
        ({"what": ("x" * 201,), "owner": (str(team[1].id),), "due": ("14",)}, "under 200 characters"),
        ({"what": ("Lunch",), "owner": (), "due": ("14",)}, "Choose one person to own the action."),
        ({"what": ("Lunch",), "owner": (str(team[1].id),), "due": ("3",)}, "Choose by when"),
    ]
    for values, expected in cases:
        answer = await as_person(database, team[0], policy, now, "form", FORM, values, str(plan.id))
        assert answer.card is not None and expected in answer.card.plain()
    async with database.transaction() as session:
        outsider = Person(display_name="Outsider", email="out@acme.test")
        await people_store.save(session, outsider)
    refused = await as_person(database, outsider, policy, now, "action", PROPOSE, str(plan.id))
    assert refused.card is not None and "Only members of the team" in refused.card.plain()
    owner_outside = {"what": ("Lunch",), "owner": (str(outsider.id),), "due": ("14",)}
    answer = await as_person(database, team[0], policy, now, "form", FORM, owner_outside, str(plan.id))
    assert answer.card is not None and "The owner must be a member of the team." in answer.card.plain()
    async with database.sessions() as session:
        assert (await session.exec(select(ActionProposal))).all() == []


@both_engines
async def test_one_vote_per_person_answered_privately_and_more_than_half_of_the_team_commits_at_once(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    await _propose(database, team[0], team[1], policy, now, "Demo day")
    card = await _propose(database, team[2], team[2], policy, now, "Pair once a week")
    demo, pair = sorted(choice_values(card, VOTE))
    first = await as_person(database, team[0], policy, now, "action", VOTE, pair)
    assert first.card is not None and first.replace_original  # as a reward vote: adapters keep a channel's card
    assert "Your vote for Pair once a week is counted." in first.card.plain()
    await as_person(database, team[0], policy, now, "action", VOTE, demo)  # moves the vote, never adds one
    for person in team[1:3]:
        await as_person(database, person, policy, now, "action", VOTE, demo)
    async with database.sessions() as session:
        assert (await session.get(ActionProposal, int(demo.split(":")[1]))).status == PROPOSED  # type: ignore[union-attr]
    fourth = await as_person(database, team[3], policy, now, "action", VOTE, demo)
    assert fourth.card is not None and "Decided: Demo day is now one of the team's commitments." in fourth.card.plain()
    announced = card_of((await posts(database))[-1])
    assert announced.title == "Engineering commits to:" and "Demo day" in announced.plain()


async def test_when_the_vote_ends_the_top_two_become_commitments_and_pulse_and_home_show_them(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    for index, what in enumerate(("Demo day", "Pair once a week", "No meetings on Friday")):
        card = await _propose(database, team[index], team[index], policy, now, what, weeks=(1, 2, 4)[index])
    values = sorted(choice_values(card, VOTE), key=lambda value: int(value.split(":")[1]))
    for person, value in zip(team[:5], (values[1], values[1], values[2], values[2], values[0]), strict=True):
        await as_person(database, person, policy, now, "action", VOTE, value)
    async with database.transaction() as session:
        assert await decide_due(session, policy=policy, now=now + timedelta(days=6)) == 0
    async with database.transaction() as session:
        assert await decide_due(session, policy=policy, now=now + timedelta(days=7)) == 1
    async with database.sessions() as session:
        statuses = {row.text: row.status for row in (await session.exec(select(ActionProposal))).all()}
    assert statuses == {"Pair once a week": COMMITTED, "No meetings on Friday": COMMITTED, "Demo day": PROPOSED}
    assert (await _plan(database)).status == DECIDED
    pulse = await as_person(database, team[4], policy, now + timedelta(days=7), "command", "pulse", "")
    assert pulse.card is not None
    shown = pulse.card.plain()
    assert "Your team's commitments:" in shown and "Pair once a week: @Engineering 2" in shown
    assert "Demo day" not in shown
    from handlers.home import home_card
    from tests.handlers.pulse.test_support import context

    async with database.sessions() as session:
        actor = await people_store.get_person(session, person_id=team[4].id or 0)
        assert actor is not None
        home = await home_card(context(session, actor, policy, now + timedelta(days=7)))
    assert "No meetings on Friday" in home.plain()
    late = await as_person(database, team[5], policy, now + timedelta(days=8), "action", VOTE, values[0])
    assert late.card is not None and "The vote on this plan has closed" in late.card.plain()


async def test_a_tie_goes_to_the_earlier_proposal_and_outsiders_cannot_vote(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    await _propose(database, team[0], team[0], policy, now, "Earlier")
    await _propose(database, team[1], team[1], policy, now, "Later")
    card = await _propose(database, team[2], team[2], policy, now, "Last")
    earlier, later, last = sorted(choice_values(card, VOTE), key=lambda value: int(value.split(":")[1]))
    async with database.transaction() as session:
        outsider = Person(display_name="Outsider", email="out@acme.test")
        await people_store.save(session, outsider)
    refused = await as_person(database, outsider, policy, now, "action", VOTE, later)
    assert refused.card is not None and "Only members of the team" in refused.card.plain()
    for person, value in zip(team[:5], (later, earlier, last, last, later), strict=True):
        await as_person(database, person, policy, now, "action", VOTE, value)
    async with database.transaction() as session:
        await decide_due(session, policy=policy, now=now + timedelta(days=policy.action_vote_days))
    async with database.sessions() as session:
        statuses = {row.text: row.status for row in (await session.exec(select(ActionProposal))).all()}
    assert statuses == {"Earlier": PROPOSED, "Later": COMMITTED, "Last": COMMITTED}


async def test_the_manager_marks_done_and_a_commitment_done_over_30_days_ago_leaves_pulse(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    card = await _propose(database, team[0], team[1], policy, now, "Demo day")
    for person in team[:4]:
        await as_person(database, person, policy, now, "action", VOTE, choice_values(card, VOTE)[0])
    async with database.sessions() as session:
        proposal = (await session.exec(select(ActionProposal))).one()
        boss = await people_store.person_by_email(session, email="boss@acme.test")
    assert boss is not None
    done = await as_person(database, boss, policy, now, "action", DONE_TAP, str(proposal.id))
    assert done.card is not None and "Marked as done: Demo day." in done.card.plain()
    soon = await as_person(database, team[0], policy, now + timedelta(days=30), "command", "pulse", "")
    later = await as_person(database, team[0], policy, now + timedelta(days=31), "command", "pulse", "")
    assert soon.card is not None and "Demo day" in soon.card.plain()
    assert later.card is not None and "Demo day" not in later.card.plain()


async def test_the_manager_digest_shows_the_teams_commitments(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    card = await _propose(database, team[0], team[1], policy, now, "Demo day")
    for person in team[:4]:
        await as_person(database, person, policy, now, "action", VOTE, choice_values(card, VOTE)[0])
    await runs.send_digests(database, config=config(leaderboard=None), policy=policy, now=now, force=True, owner="t")
    [digest] = await queued(database, kind="manager_digest")
    assert "Commitments of Engineering:" in card_of(digest).plain() and "Demo day" in card_of(digest).plain()


@both_engines
async def test_the_owner_is_reminded_once_before_the_due_date_and_marks_it_done_in_one_tap(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    card = await _propose(database, team[0], team[1], policy, now, "Demo day", weeks=1)
    for person in team[:4]:
        await as_person(database, person, policy, now, "action", VOTE, choice_values(card, VOTE)[0])
    for days, expected in ((4, 0), (5, 1), (5, 0), (6, 0)):  # due in 7 days, reminded 2 days before, once
        async with database.transaction() as session:
            sent = await send_reminders(session, policy=policy, now=now + timedelta(days=days), owner="test")
        assert sent == expected, days
    [reminder] = await posts(database, kind="action_reminder")
    assert reminder.person_id == team[1].id
    [tap] = choice_values(card_of(reminder), DONE_TAP)
    someone_else = await as_person(database, team[2], policy, now, "action", DONE_TAP, tap)
    assert someone_else.card is not None and "Only the action's owner" in someone_else.card.plain()
    done = await as_person(database, team[1], policy, now + timedelta(days=6), "action", DONE_TAP, tap)
    assert done.card is not None and "Marked as done: Demo day." in done.card.plain()
    again = await as_person(database, team[1], policy, now + timedelta(days=6), "action", DONE_TAP, tap)
    assert again.card is not None and "Already marked as done" in again.card.plain()
    async with database.sessions() as session:
        row = (await session.exec(select(ActionProposal))).one()
    assert (row.status, row.done_at) == (DONE, now + timedelta(days=6))
    pulse = await as_person(database, team[0], policy, now + timedelta(days=6), "command", "pulse", "")
    assert pulse.card is not None and "Demo day: @Engineering 2, by" in pulse.card.plain()
    assert "✓ done" in pulse.card.plain()


async def test_pulse_shows_the_plan_still_voting_with_its_buttons_and_the_owner_a_done_button(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    first = await as_person(database, team[0], policy, now, "command", "pulse", "")
    assert first.card is not None and "What could we do ourselves about Purpose?" in first.card.plain()
    assert choice_values(first.card, PROPOSE) == [str((await _plan(database)).id)]
    card = await _propose(database, team[0], team[1], policy, now, "Demo day")
    for person in team[:4]:
        await as_person(database, person, policy, now, "action", VOTE, choice_values(card, VOTE)[0])
    owner = await as_person(database, team[1], policy, now, "command", "pulse", "")
    other = await as_person(database, team[2], policy, now, "command", "pulse", "")
    assert owner.card is not None and other.card is not None
    assert len(choice_values(owner.card, DONE_TAP)) == 1 and choice_values(other.card, DONE_TAP) == []
    assert choice_values(other.card, PROPOSE)  # one commitment so far: the vote stays open for a second


async def test_an_action_committed_inside_the_reminder_window_is_reminded_at_once_and_a_past_one_never(
    database: Database, policy: Policy, now: datetime, team: list[Person]
) -> None:
    card = await _propose(database, team[0], team[1], policy, now, "Demo day", weeks=1)
    for person in team[:4]:
        await as_person(database, person, policy, now, "action", VOTE, choice_values(card, VOTE)[0])
    async with database.transaction() as session:
        late = await send_reminders(session, policy=policy, now=now + timedelta(days=9), owner="test")
        at_once = await send_reminders(session, policy=replace(policy, action_reminder_days=10), now=now, owner="test")
    assert (late, at_once) == (0, 1)
