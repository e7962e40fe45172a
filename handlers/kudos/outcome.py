"""What the giver is told: the outcome of a kudos and its confirmation, also for a request seen before.

A redelivered request (same idempotency key) gets the first confirmation again, rebuilt from the stored kudos, with
the points the giver has left now.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Context, timezone_of
from handlers.kudos.cards import KudosFacts, confirmation
from handlers.messages import Reply
from storage import people as people_store
from storage.kudos import history as kudos_history
from storage.models import Kudos


@dataclass(frozen=True)
class KudosOutcome:
    """The giver's answer, and what happened: a new kudos, a repeat of an earlier one, or a refusal."""

    reply: Reply
    kudos_id: int | None = None
    duplicate: bool = False

    @property
    def given(self) -> bool:
        return self.kudos_id is not None and not self.duplicate


def confirmed(
    ctx: Context, facts: KudosFacts, *, left: int, kudos_id: int | None = None, duplicate: bool = False
) -> KudosOutcome:
    """The giver's confirmation, with the `left` points they have left today."""
    card = confirmation(
        ctx.t,
        facts,
        remaining=left,
        allowance=ctx.policy.daily_allowance,
        timezone=timezone_of(ctx.actor, ctx.policy).key,
    )
    return KudosOutcome(reply=Reply(card=card), kudos_id=kudos_id, duplicate=duplicate)


async def stored_facts(ctx: Context, kudos: Kudos) -> KudosFacts:
    """Rebuild a stored kudos' facts, to repeat its confirmation to a retried request."""
    entry = await kudos_history.entry(ctx.session, kudos_id=kudos.id or 0)
    assert entry is not None
    team_id = kudos.team_recognition_id
    team = await people_store.get_team(ctx.session, team_id=team_id) if team_id else None
    members = tuple(person for person in entry.recipients if team is not None and person.team_id == team.id)
    named = tuple(person for person in entry.recipients if person not in members)
    return KudosFacts(
        giver=entry.giver,
        people=named,
        team=team,
        team_members=members,
        points=kudos.points,
        reason=kudos.message,
        values=entry.values,
        source=kudos.source,
        mentioned={person.id or 0: person for person in entry.recipients},
        teams={team.id or 0: team} if team else {},
    )
