"""Sending pulses: starting rounds when a team's plan says so (or now), reminding, and closing windows.

The scheduler calls `send_due_pulses`, `send_reminders` and `close_expired` every few minutes; each is idempotent
(unique round per team and period, a reminder flag and a close flag flipped in the same transaction), so two
replicas or a restart never send twice.
"""

from __future__ import annotations

import logging
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
from handlers.pulse.tokens import NO_KEY, Ballot, MissingSecretKey, key_check, stored_key
from storage import people as people_store
from storage.models import Person, PulseQuestion, PulseRound, Team
from storage.models.delivery import UNDELIVERED
from storage.models.pulse import PULSE
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store

log = logging.getLogger(__name__)


async def team_plan(session: AsyncSession, *, policy: Policy, team_id: int) -> Plan:
    rows = await pulse_store.plan_rows(session)
    return resolve_plan(policy, (rows.get(None), rows.get(team_id)))


async def start_round(
    session: AsyncSession, *, team: Team, policy: Policy, now: datetime, day: date | None = None
) -> PulseRound | None:
    """Ask a team its next questions: on `day` at each member's local plan time, or right now when `day` is None.

    Raises `MissingSecretKey` without `BRAVO_SECRET_KEY`: ballots are never made without it."""
    if not policy.secret_key:
        raise MissingSecretKey(NO_KEY)
    members = await reachable_members(session, team=team, policy=policy)
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
    pulse = await _open_round(
        session, team=team, plan=plan, period=period, instants=list(instants.values()), secret=policy.secret_key
    )
    if pulse is None:
        return None
    round_id = pulse.id or 0
    await pulse_store.add_round_questions(session, round_id=round_id, question_ids=[q.id or 0 for q in questions])
    await pulse_store.invite(session, round_id=round_id, person_ids=[member.id or 0 for member in members])
    for member in members:
        await queue_question(
            session,
            pulse=pulse,
            person=member,
            first=questions[0],
            total=len(questions),
            policy=policy,
            not_before=instants[member.id or 0],
        )
    return pulse


async def reachable_members(session: AsyncSession, *, team: Team, policy: Policy) -> list[Person]:
    """The team's members a round can reach on a configured platform: those it invites, so participation is honest."""
    members = await people_store.team_members(session, team_id=team.id or 0)
    return [member for member in members if person_platforms(member, policy.platforms)]


async def _open_round(
    session: AsyncSession, *, team: Team, plan: Plan, period: str, instants: list[datetime], secret: str
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
        key_check=key_check(secret),
    )


async def queue_question(
    session: AsyncSession,
    *,
    pulse: PulseRound,
    person: Person,
    first: PulseQuestion,
    total: int,
    policy: Policy,
    not_before: datetime | None,
    reminder: bool = False,
) -> None:
    """Queue a person's pulse message (or its reminder): the first question, its buttons without a token (the
    outbox worker adds the person's token when it sends the message)."""
    t = translator_for_person(person, policy)
    card = question_card(
        t,
        first,
        Ballot(pulse.id or 0, 0),
        total,
        deadline=t.deadline(pulse.closes_at),
        threshold=policy.anonymity_threshold,
        reminder=reminder,
        subject=pulse.subject,
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
        if day is None:
            continue
        try:
            started += bool(await start_round(session, team=team, policy=policy, now=now, day=day))
        except MissingSecretKey:
            log.warning("pulses due but not sent: BRAVO_SECRET_KEY is not set (see docs/pulses-and-anonymity.md)")
            break
    return started


async def send_now(
    session: AsyncSession, *, policy: Policy, now: datetime, team_ids: Sequence[int] | None = None
) -> list[PulseRound]:
    """Start a round right now for each team (or the given ones) that has no open round: a first try, a test."""
    started = []
    for team in await people_store.all_teams(session):
        if team_ids is not None and team.id not in team_ids:
            continue
        if await pulse_store.open_rounds(session, team_id=team.id or 0, kind=PULSE):
            continue
        plan = await team_plan(session, policy=policy, team_id=team.id or 0)
        if not plan.enabled and team_ids is None:
            continue
        pulse = await start_round(session, team=team, policy=policy, now=now)
        if pulse is not None:
            started.append(pulse)
    return started


async def send_reminders(session: AsyncSession, *, policy: Policy, now: datetime) -> int:
    """One reminder per round, only to those who have not answered yet; returns how many people were reminded.

    Who has answered is worked out here and now, with the secret: the invited people whose respondent key is absent.
    """
    reminded = 0
    if not policy.secret_key:
        return reminded
    for pulse in await pulse_store.rounds_to_remind(session, now=now):
        round_id = pulse.id or 0
        if not await pulse_store.claim_reminder(session, round_id=round_id):
            continue
        answered = await pulse_store.respondent_keys(session, round_id=round_id)
        waiting = [
            person_id
            for person_id in await pulse_store.invited(session, round_id=round_id)
            if stored_key(policy.secret_key, "respondent", round_id, person_id) not in answered
        ]
        question_ids = (await pulse_store.round_question_ids(session, round_ids=[round_id]))[round_id]
        first = await pulse_store.questions_by_ids(session, ids=question_ids[:1])
        for person in await people_store.people_by_ids(session, ids=waiting):
            if not person.active or not first:
                continue
            await queue_question(
                session,
                pulse=pulse,
                person=person,
                first=first[question_ids[0]],
                total=len(question_ids),
                policy=policy,
                not_before=now,
                reminder=True,
            )
            reminded += 1
    return reminded


async def close_round(session: AsyncSession, *, pulse: PulseRound, now: datetime | None = None) -> bool:
    """Close a round: answers rewritten in random order without their keys, respondents under random keys, the
    messages not sent yet dropped and the buttons of the others taken out."""
    if not await pulse_store.claim_close(session, round_id=pulse.id or 0, now=now):
        return False
    await pulse_answers.rewrite_round_anonymously(session, round_id=pulse.id or 0)
    await pulse_store.forget_respondent_keys(session, round_id=pulse.id or 0)
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


async def close_now(
    session: AsyncSession, *, now: datetime, team_ids: Sequence[int] | None = None, kind: str | None = None
) -> int:
    """Close open rounds early (all, or the given teams', of every kind or only `kind`): `bravo pulse close`."""
    closed = 0
    for pulse in await pulse_store.open_rounds(session, kind=kind):
        if team_ids is None or pulse.team_id in team_ids:
            closed += await close_round(session, pulse=pulse, now=now)
    return closed
