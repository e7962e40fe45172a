"""Giving kudos: the rules (allowance, no self or bot kudos, values, reason, length), storing, and notifying.

The same use case serves `/kudos`, the kudos form, HeyTaco-style emoji messages and reactions on every platform.
A kudos and the messages it causes are written in the caller's transaction, so they are committed together before
the platform gets its answer; a redelivered request (same idempotency key) returns the first confirmation.
"""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from handlers.context import Context, timezone_of
from handlers.i18n import Translator
from handlers.kudos_cards import KudosFacts, confirmation
from handlers.kudos_notify import queue_effects
from handlers.kudos_parse import KudosDraft, KudosParseError, parse_kudos
from handlers.messages import Reply, reply
from handlers.policy import Policy
from storage import kudos as kudos_store
from storage import people as people_store
from storage.kudos import NewRecipient
from storage.models import Kudos, Person, Team

KudosSource = Literal["command", "form", "message", "reaction"]


class KudosRejected(Exception):
    """A rule said no; `message` is already in the giver's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class KudosOutcome:
    """The giver's answer, and what happened: a new kudos, a repeat of an earlier one, or a refusal."""

    reply: Reply
    kudos_id: int | None = None
    duplicate: bool = False

    @property
    def given(self) -> bool:
        return self.kudos_id is not None and not self.duplicate


def local_midnight(now: datetime, person: Person | None, policy: Policy) -> datetime:
    """The start of today in the person's time zone, in UTC: when their allowance was last reset."""
    zone = timezone_of(person, policy)
    local = now.astimezone(zone)
    return datetime(local.year, local.month, local.day, tzinfo=zone).astimezone(UTC)


async def remaining_allowance(ctx: Context, person: Person | None = None) -> int:
    """Points the person (the actor by default) can still give today."""
    who = person or ctx.actor
    used = await kudos_store.points_given_since(
        ctx.session, giver_id=who.id or 0, since=local_midnight(ctx.now, who, ctx.policy)
    )
    return max(0, ctx.policy.daily_allowance - used)


async def known_values(ctx: Context) -> list[str]:
    """The company values kudos may name: the configured ones in the database, else the policy's."""
    return await people_store.active_values(ctx.session) or list(ctx.policy.company_values)


def explain_parse_error(t: Translator, error: KudosParseError) -> str:
    return t("Who do you want to recognise? Mention them, for example: /kudos @name thanks for the release #teamwork")


async def give_from_text(
    ctx: Context,
    text: str,
    *,
    source: KudosSource = "command",
    points: int | None = None,
    idempotency_key: str | None = None,
) -> KudosOutcome:
    """Parse canonical text and give the kudos it describes; `points` overrides the text (emoji messages)."""
    try:
        draft = parse_kudos(text, read_points=points is None)
    except KudosParseError as error:
        return KudosOutcome(reply=reply(explain_parse_error(ctx.t, error)))
    if points is not None:
        draft = replace(draft, points=points, points_given=True)
    return await give_kudos(ctx, draft, source=source, idempotency_key=idempotency_key)


async def give_kudos(
    ctx: Context, draft: KudosDraft, *, source: KudosSource, idempotency_key: str | None = None
) -> KudosOutcome:
    """Apply the rules, store the kudos, queue its post and messages, and answer the giver."""
    key = (idempotency_key or ctx.event_key or f"{ctx.platform}:{uuid.uuid4().hex}")[:255]
    giver_id = ctx.actor.id or 0
    await kudos_store.lock_person(ctx.session, person_id=giver_id)
    earlier = await kudos_store.kudos_by_key(ctx.session, idempotency_key=key)
    if earlier is not None and earlier.id is not None:
        facts = await _facts_of(ctx, earlier)
        return KudosOutcome(reply=await _confirm(ctx, facts), kudos_id=earlier.id, duplicate=True)
    try:
        facts, recipients, remaining = await _check(ctx, draft, source)
    except KudosRejected as rejection:
        return KudosOutcome(reply=reply(rejection.message))
    kudos = await kudos_store.insert_kudos(
        ctx.session,
        kudos=Kudos(
            giver_id=giver_id,
            points=draft.points,
            message=facts.reason,
            source=source,
            platform=ctx.platform,
            channel=ctx.channel,
            team_recognition_id=facts.team.id if facts.team else None,
            idempotency_key=key,
            created_at=ctx.now.astimezone(UTC),
        ),
        recipients=recipients,
        values=facts.values,
    )
    await queue_effects(ctx, facts, kudos.id or 0)
    return KudosOutcome(reply=await _confirm(ctx, facts, remaining=remaining), kudos_id=kudos.id)


async def _check(ctx: Context, draft: KudosDraft, source: KudosSource) -> tuple[KudosFacts, list[NewRecipient], int]:
    """The kudos' facts, its recipients, and the giver's allowance left once it is given."""
    t, policy = ctx.t, ctx.policy
    if not draft.has_recipients:
        raise KudosRejected(explain_parse_error(t, KudosParseError("no_recipients")))
    if not 1 <= draft.points <= policy.max_points_per_kudos:
        raise KudosRejected(t("Points must be a whole number from 1 to {most}.", most=policy.max_points_per_kudos))
    people = await _named_people(ctx, draft)
    team, members = await _team(ctx, draft)
    reason = draft.reason.strip()
    if not reason and source != "reaction":
        raise KudosRejected(
            t("Say why: a kudos needs a reason, for example: /kudos @name thanks for the release #teamwork")
        )
    if len(reason) > policy.max_message_length:
        raise KudosRejected(
            t(
                "Your message is {length} characters long; please keep it under {limit}.",
                length=len(reason),
                limit=policy.max_message_length,
            )
        )
    values = await _check_values(ctx, draft.values)
    recipients = [NewRecipient(person.id or 0, person.team_id) for person in people]
    named = {person.id for person in people}
    recipients += [
        NewRecipient(member.id or 0, team.id if team else None) for member in members if member.id not in named
    ]
    cost = draft.points * len(recipients)
    left = await remaining_allowance(ctx)
    if cost > left:
        raise KudosRejected(_over_allowance(ctx, cost=cost, left=left))
    mentioned = {person.id or 0: person for person in (*people, *members)}
    teams = {team.id or 0: team} if team else {}
    facts = KudosFacts(
        giver=ctx.actor,
        people=tuple(people),
        team=team,
        team_members=tuple(member for member in members if member.id not in named),
        points=draft.points,
        reason=reason,
        values=values,
        source=source,
        mentioned=mentioned,
        teams=teams,
    )
    return facts, recipients, left - cost


async def _named_people(ctx: Context, draft: KudosDraft) -> list[Person]:
    t = ctx.t
    if ctx.actor.id in draft.people:
        raise KudosRejected(t("You can't give kudos to yourself, but it's a fine day to recognise a colleague!"))
    found = {person.id: person for person in await people_store.people_by_ids(ctx.session, ids=draft.people)}
    people: list[Person] = []
    for person_id in draft.people:
        person = found.get(person_id)
        if person is None:
            raise KudosRejected(t("I don't know one of the people you mentioned."))
        if person.is_bot:
            raise KudosRejected(t("{name} is a bot: kudos are for people.", name=person.display_name))
        if not person.active:
            raise KudosRejected(t("{name} is no longer active here.", name=person.display_name))
        people.append(person)
    return people


async def _team(ctx: Context, draft: KudosDraft) -> tuple[Team | None, list[Person]]:
    """The first team mentioned and its members who can receive kudos (not the giver, no bots)."""
    if not draft.teams:
        return None, []
    team = await people_store.get_team(ctx.session, team_id=draft.teams[0])
    if team is None or team.id is None:
        raise KudosRejected(ctx.t("I don't know the team you mentioned."))
    members = [
        member
        for member in await people_store.team_members(ctx.session, team_id=team.id)
        if member.id != ctx.actor.id and not member.is_bot
    ]
    if not members:
        raise KudosRejected(ctx.t("Nobody else in {team} can receive kudos yet.", team=team.name))
    return team, members


async def _check_values(ctx: Context, tags: tuple[str, ...]) -> tuple[str, ...]:
    if not tags:
        return ()
    known = await known_values(ctx)
    for tag in tags:
        if tag in known:
            continue
        close = difflib.get_close_matches(tag, known, n=1, cutoff=0.6)
        if close:
            raise KudosRejected(
                ctx.t("#{tag} is not one of our values. Did you mean #{suggestion}?", tag=tag, suggestion=close[0])
            )
        raise KudosRejected(
            ctx.t(
                "#{tag} is not one of our values. Pick from: {values}",
                tag=tag,
                values=" ".join(f"#{value}" for value in known),
            )
        )
    return tags


def _over_allowance(ctx: Context, *, cost: int, left: int) -> str:
    t, allowance = ctx.t, ctx.policy.daily_allowance
    zone = timezone_of(ctx.actor, ctx.policy).key
    if left <= 0:
        return t(
            "You have used all {allowance} of your points for today. Your allowance resets at midnight ({timezone}).",
            allowance=allowance,
            timezone=zone,
        )
    needs = t.plural("This kudos needs {count} point", "This kudos needs {count} points", cost)
    has = t.plural("you have {count} point left today.", "you have {count} points left today.", left)
    return t("{needs}, but {has} Give fewer points or recognise fewer people.", needs=needs, has=has)


async def _confirm(ctx: Context, facts: KudosFacts, *, remaining: int | None = None) -> Reply:
    """The giver's confirmation; `remaining` is passed when the caller has just computed it."""
    card = confirmation(
        ctx.t,
        facts,
        remaining=await remaining_allowance(ctx) if remaining is None else remaining,
        allowance=ctx.policy.daily_allowance,
        timezone=timezone_of(ctx.actor, ctx.policy).key,
    )
    return Reply(card=card)


async def _facts_of(ctx: Context, kudos: Kudos) -> KudosFacts:
    """Rebuild a stored kudos' facts, to repeat its confirmation to a retried request."""
    entry = await kudos_store.entry(ctx.session, kudos_id=kudos.id or 0)
    assert entry is not None
    team = (
        await people_store.get_team(ctx.session, team_id=kudos.team_recognition_id)
        if kudos.team_recognition_id
        else None
    )
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
