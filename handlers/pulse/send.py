"""Sending pulses: starting rounds when a team's plan says so (or now), reminding, and closing windows.

The scheduler calls `send_due_pulses`, `send_reminders` and `close_expired` every few minutes; each is idempotent
(unique round per team and period, a reminder flag and a close flag flipped in the same transaction), so two
replicas or a restart never send twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import timezone_of, translator_for_person
from handlers.delivery import person_deliveries, person_platforms, queue
from handlers.policy import Policy
from handlers.pulse.bank_sync import ensure_bank
from handlers.pulse.cards import QUESTION_KIND, REMINDER_KIND, question_card, without_buttons
from handlers.pulse.followup import forget_delivered_notices
from handlers.pulse.plan import Plan, due_day, resolve_plan, send_instant
from handlers.pulse.rotation import PastRound, choose_questions
from handlers.pulse.tokens import new_token
from storage import people as people_store
from storage.models import Person, PulseBallot, PulseQuestion, PulseRound, Team
from storage.models.delivery import UNDELIVERED
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store


async def team_plan(session: AsyncSession, *, policy: Policy, team_id: int) -> Plan:
    rows = await pulse_store.plan_rows(session)
    return resolve_plan(policy, (rows.get(None), rows.get(team_id)))


async def start_round(
    session: AsyncSession, *, team: Team, policy: Policy, now: datetime, day: date | None = None
) -> PulseRound | None:
    """Ask a team its next questions: on `day` at each member's local plan time, or right now when `day` is None."""
    members = [
        member
        for member in await people_store.team_members(session, team_id=team.id or 0)
        if person_platforms(member, policy.platforms)
    ]
    if not members:
        return None
    plan = await team_plan(session, policy=policy, team_id=team.id or 0)
    await ensure_bank(session)
    questions = await _next_questions(session, team_id=team.id or 0, count=plan.questions, today=now.date())
    if not questions:
        return None
    instants = {
        member.id or 0: now if day is None else max(now, send_instant(plan, day, timezone_of(member, policy)))
        for member in members
    }
    period = day.isoformat() if day else now.isoformat(timespec="seconds")
    pulse = await _open_round(session, team=team, plan=plan, period=period, instants=list(instants.values()))
    if pulse is None:
        return None
    tokens = await _hand_out_ballots(session, pulse=pulse, members=members, questions=questions)
    for member in members:
        await _queue_question(
            session,
            pulse=pulse,
            person=member,
            first=questions[0],
            tokens=[tokens[(member.id or 0, question.id or 0)] for question in questions],
            policy=policy,
            not_before=instants[member.id or 0],
        )
    return pulse


async def _open_round(
    session: AsyncSession, *, team: Team, plan: Plan, period: str, instants: list[datetime]
) -> PulseRound | None:
    """The team's round for `period`, open from the first member's moment to a window after the last one's; None
    when another process already opened it."""
    last = max(instants)
    return await pulse_store.create_round(
        session,
        team_id=team.id or 0,
        period=period,
        opened_at=min(instants),
        closes_at=last + plan.window,
        remind_at=last + plan.window / 2,
    )


async def _hand_out_ballots(
    session: AsyncSession, *, pulse: PulseRound, members: Sequence[Person], questions: Sequence[PulseQuestion]
) -> dict[tuple[int, int], str]:
    """Record the round's questions and who is invited, and give each member a ballot token per question."""
    round_id = pulse.id or 0
    await pulse_store.add_round_questions(session, round_id=round_id, question_ids=[q.id or 0 for q in questions])
    await pulse_store.invite(session, round_id=round_id, person_ids=[member.id or 0 for member in members])
    tokens = {(member.id or 0, q.id or 0): new_token() for member in members for q in questions}
    await pulse_store.add_ballots(
        session,
        ballots=[
            PulseBallot(token=token, round_id=round_id, question_id=q, person_id=p) for (p, q), token in tokens.items()
        ],
    )
    return tokens


async def _queue_question(
    session: AsyncSession,
    *,
    pulse: PulseRound,
    person: Person,
    first: PulseQuestion,
    tokens: list[str],
    policy: Policy,
    not_before: datetime,
    reminder: bool = False,
) -> None:
    """Queue a person's pulse message (or its reminder): the first question, its buttons carrying every ballot."""
    t = translator_for_person(person, policy)
    card = question_card(
        t,
        first,
        tokens,
        0,
        deadline=t.deadline(pulse.closes_at),
        threshold=policy.anonymity_threshold,
        reminder=reminder,
    )
    await queue(
        session,
        person_deliveries(
            person=person,
            card=card,
            kind=REMINDER_KIND if reminder else QUESTION_KIND,
            platforms=policy.platforms,
            dedupe_key=f"pulse:{pulse.id}:{person.id}" + (":reminder" if reminder else ""),
            not_before=not_before,
        ),
    )


async def _next_questions(session: AsyncSession, *, team_id: int, count: int, today: date) -> list[PulseQuestion]:
    bank = await pulse_store.all_questions(session, active_only=True)
    rounds = await pulse_store.team_rounds(session, team_id=team_id)
    asked = await pulse_store.round_question_ids(session, round_ids=[r.id or 0 for r in rounds])
    history = [PastRound(r.opened_at.date(), tuple(asked.get(r.id or 0, []))) for r in rounds]
    return choose_questions(bank, history, count, today)


async def send_due_pulses(session: AsyncSession, *, policy: Policy, now: datetime) -> int:
    """Start the rounds whose pulse day has come for the first member (in their time zone); returns how many."""
    started = 0
    for team in await people_store.all_teams(session):
        members = await people_store.team_members(session, team_id=team.id or 0)
        plan = await team_plan(session, policy=policy, team_id=team.id or 0)
        day = due_day(plan, [timezone_of(member, policy) for member in members], now)
        if day is not None and await start_round(session, team=team, policy=policy, now=now, day=day):
            started += 1
    return started


async def send_now(
    session: AsyncSession, *, policy: Policy, now: datetime, team_ids: Sequence[int] | None = None
) -> list[PulseRound]:
    """Start a round right now for each team (or the given ones) that has no open round: a first try, a test."""
    started = []
    for team in await people_store.all_teams(session):
        if team_ids is not None and team.id not in team_ids:
            continue
        if await pulse_store.open_rounds(session, team_id=team.id or 0):
            continue
        plan = await team_plan(session, policy=policy, team_id=team.id or 0)
        if not plan.enabled and team_ids is None:
            continue
        pulse = await start_round(session, team=team, policy=policy, now=now)
        if pulse is not None:
            started.append(pulse)
    return started


async def send_reminders(session: AsyncSession, *, policy: Policy, now: datetime) -> int:
    """One reminder per round, only to those who have not answered yet; returns how many people were reminded."""
    reminded = 0
    for pulse in await pulse_store.rounds_to_remind(session, now=now):
        if not await pulse_store.claim_reminder(session, round_id=pulse.id or 0):
            continue
        people = await people_store.people_by_ids(
            session, ids=await pulse_store.not_answered(session, round_id=pulse.id or 0)
        )
        for person in people:
            ballots = await pulse_store.person_ballots(session, person_id=person.id or 0, round_id=pulse.id)
            if not person.active or not ballots:
                continue
            first = await pulse_store.questions_by_ids(session, ids=[ballots[0].question_id])
            await _queue_question(
                session,
                pulse=pulse,
                person=person,
                first=first[ballots[0].question_id],
                tokens=[ballot.token for ballot in ballots],
                policy=policy,
                not_before=now,
                reminder=True,
            )
            reminded += 1
    return reminded


async def close_round(session: AsyncSession, *, pulse: PulseRound, now: datetime | None = None) -> bool:
    """Close a round: ballots dropped, answers rewritten in random order without hashes, buttons taken out."""
    if not await pulse_store.claim_close(session, round_id=pulse.id or 0, now=now):
        return False
    await pulse_store.drop_round_ballots(session, round_id=pulse.id or 0)
    await pulse_answers.rewrite_round_anonymously(session, round_id=pulse.id or 0)
    for message in await pulse_answers.round_deliveries(session, round_id=pulse.id or 0):
        sent = message.status not in UNDELIVERED
        await pulse_answers.rewrite_delivery(
            session, message=message, payload=without_buttons(message.payload) if sent else None
        )
    return True


async def close_expired(session: AsyncSession, *, now: datetime) -> int:
    """Close every round whose window has ended, and forget delivered follow-up notices; returns rounds closed."""
    closed = 0
    for pulse in await pulse_store.rounds_to_close(session, now=now):
        closed += await close_round(session, pulse=pulse)
    await forget_delivered_notices(session)
    return closed


async def close_now(session: AsyncSession, *, now: datetime, team_ids: Sequence[int] | None = None) -> int:
    """Close open rounds early (all, or the given teams'): `bravo pulse close`."""
    closed = 0
    for pulse in await pulse_store.open_rounds(session):
        if team_ids is None or pulse.team_id in team_ids:
            closed += await close_round(session, pulse=pulse, now=now)
    return closed
