"""The owner's reminder before a commitment's due date: once per commitment and due date, whatever runs it.

Each reminder is a `(kind, target, period)` claim (`action_reminder`, the commitment, its due date) made in the
transaction that queues it, like every scheduled post: a second run, a second replica or a restart sends nothing more.
A due date moved later would be a new period, so it would be reminded again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.actions.cards import REMINDER_KIND, reminder_card
from handlers.actions.plans import proposed_items
from handlers.context import timezone_of, translator_for_person
from handlers.delivery import person_deliveries, queue
from handlers.policy import Policy
from storage import actions as store
from storage import people as people_store
from storage import schedule as schedule_store
from storage.models.schedule import QUEUED


async def send_reminders(session: AsyncSession, *, policy: Policy, now: datetime, owner: str) -> int:
    """Remind each owner whose commitment is due within `action_reminder_days` (in their time zone); how many."""
    first, last = (now - timedelta(days=1)).date(), (now + timedelta(days=policy.action_reminder_days + 1)).date()
    due = await store.due_between(session, first=first, last=last)  # past due dates are no longer reminded
    sent = 0
    for item in await proposed_items(session, due, {}):
        person = await people_store.get_person(session, person_id=item.owner.id)
        if person is None:
            continue
        today = now.astimezone(timezone_of(person, policy)).date()
        if not 0 <= (item.proposal.due_on - today).days <= policy.action_reminder_days:
            continue
        key = {"kind": REMINDER_KIND, "target": str(item.proposal.id), "period": item.proposal.due_on.isoformat()}
        if not await schedule_store.claim(session, **key, owner=owner, now=now):
            continue
        card = reminder_card(translator_for_person(person, policy), item)
        dedupe = schedule_store.claim_key(**key)
        deliveries = person_deliveries(
            person=person, card=card, kind=REMINDER_KIND, platforms=policy.platforms, dedupe_key=dedupe
        )
        count = await queue(session, deliveries)
        await schedule_store.finish(session, **key, status=QUEUED, deliveries=count, now=now)
        sent += 1
    return sent
