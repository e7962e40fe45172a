"""Giving kudos: the rules (allowance, no self or bot kudos, values, reason, length), storing, and notifying.

The same use case serves `/kudos`, the kudos form, HeyTaco-style emoji messages and reactions on every platform.
A kudos and the messages it causes are written in the caller's transaction, so they are committed together before
the platform gets its answer; a redelivered request (same idempotency key) returns the first confirmation.
"""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from handlers.context import Context, timezone_of
from handlers.delivery import NewDelivery, queue
from handlers.i18n import Translator
from handlers.kudos.cards import KudosFacts, confirmation
from handlers.kudos.notify import kudos_effects
from handlers.kudos.parse import KudosDraft, KudosParseError, parse_kudos
from handlers.messages import Reply, reply
from handlers.policy import Policy
from storage import people as people_store
from storage.kudos import entries as kudos_store
from storage.kudos.entries import NewRecipient
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


@dataclass(frozen=True)
class KudosRequest:
    """One kudos to give: who asks and when (`ctx`), what they asked for, and the key that makes a retry harmless."""

    ctx: Context
    draft: KudosDraft
    source: KudosSource
    idempotency_key: str | None = None

    def key(self) -> str:
        ctx = self.ctx
        return (self.idempotency_key or ctx.event_key or f"{ctx.platform}:{uuid.uuid4().hex}")[:255]


@dataclass(frozen=True)
class KudosText:
    """A kudos as typed (canonical text); `points` overrides the text's (emoji messages)."""

    ctx: Context
    text: str
    source: KudosSource = "command"
    points: int | None = None
    idempotency_key: str | None = None


async def give_from_text(
    ctx: Context,
    text: str,
    *,
    source: KudosSource = "command",
    points: int | None = None,
    idempotency_key: str | None = None,
) -> KudosOutcome:
    """Parse canonical text and give the kudos it describes."""
    (outcome,) = await give_from_texts([KudosText(ctx, text, source, points, idempotency_key)])
    return outcome


async def give_from_texts(items: Sequence[KudosText]) -> list[KudosOutcome]:
    """Parse each text and give the kudos they describe together (`give_many`); unreadable ones get the how-to."""
    outcomes: list[KudosOutcome | None] = []
    requests: list[KudosRequest] = []
    for item in items:
        try:
            draft = parse_kudos(item.text, read_points=item.points is None)
        except KudosParseError as error:
            outcomes.append(KudosOutcome(reply=reply(explain_parse_error(item.ctx.t, error))))
            continue
        if item.points is not None:
            draft = replace(draft, points=item.points, points_given=True)
        requests.append(KudosRequest(item.ctx, draft, item.source, item.idempotency_key))
        outcomes.append(None)
    given = iter(await give_many(requests))
    return [outcome if outcome is not None else next(given) for outcome in outcomes]


async def give_kudos(
    ctx: Context, draft: KudosDraft, *, source: KudosSource, idempotency_key: str | None = None
) -> KudosOutcome:
    """Apply the rules, store the kudos, queue its post and messages, and answer the giver."""
    (outcome,) = await give_many([KudosRequest(ctx, draft, source, idempotency_key)])
    return outcome


async def give_many(requests: Sequence[KudosRequest]) -> list[KudosOutcome]:
    """Give several kudos in the callers' one transaction (a burst of `/kudos` commands), each as if alone.

    Every lookup the rules need is made once for the whole batch and every write is one statement per table, so a
    burst costs a handful of statements rather than a dozen per kudos. Requests are decided in order: a giver's
    second kudos in the batch sees the points their first one used, and a repeated key is answered as a repeat.
    """
    if not requests:
        return []
    session = requests[0].ctx.session
    keys = [request.key() for request in requests]
    await kudos_store.lock_people(session, person_ids=[request.ctx.actor.id or 0 for request in requests])
    lookups = await _Lookups.load(requests, keys)
    outcomes: list[KudosOutcome] = []
    given: dict[str, int] = {}  # key -> index in `to_store`
    repeats: list[tuple[int, int]] = []  # (outcome index, index in `to_store`) of keys repeated within the batch
    to_store: list[tuple[int, KudosFacts, kudos_store.NewKudos]] = []
    for index, (request, key) in enumerate(zip(requests, keys, strict=True)):
        ctx = request.ctx
        earlier = lookups.earlier.get(key)
        if earlier is not None and earlier.id is not None:
            facts = await _facts_of(ctx, earlier)
            reply_again = _confirmation(ctx, facts, lookups.remaining(ctx))
            outcomes.append(KudosOutcome(reply=reply_again, kudos_id=earlier.id, duplicate=True))
            continue
        if key in given:
            first_facts = to_store[given[key]][1]
            outcomes.append(KudosOutcome(reply=_confirmation(ctx, first_facts, lookups.remaining(ctx)), duplicate=True))
            repeats.append((index, given[key]))
            continue
        try:
            facts, recipients = _check(ctx, request.draft, request.source, lookups)
        except KudosRejected as rejection:
            outcomes.append(KudosOutcome(reply=reply(rejection.message)))
            continue
        lookups.spend(ctx, len(recipients) * request.draft.points)
        given[key] = len(to_store)
        new = kudos_store.NewKudos(
            giver_id=ctx.actor.id or 0,
            points=request.draft.points,
            message=facts.reason,
            source=request.source,
            platform=ctx.platform,
            idempotency_key=key,
            created_at=ctx.now,
            recipients=recipients,
            values=facts.values,
            channel=ctx.channel,
            team_recognition_id=facts.team.id if facts.team else None,
        )
        to_store.append((index, facts, new))
        outcomes.append(KudosOutcome(reply=_confirmation(ctx, facts, lookups.remaining(ctx))))
    ids = await kudos_store.insert_many(session, [item for _, _, item in to_store])
    effects: list[NewDelivery] = []
    for (index, facts, _), kudos_id in zip(to_store, ids, strict=True):
        outcomes[index] = replace(outcomes[index], kudos_id=kudos_id)
        effects += kudos_effects(requests[index].ctx, facts, kudos_id)
    for repeat, original in repeats:
        outcomes[repeat] = replace(outcomes[repeat], kudos_id=ids[original])
    await queue(session, effects)
    return outcomes


@dataclass
class _Lookups:
    """What the rules read, loaded for a whole batch with one statement per kind of lookup."""

    earlier: dict[str, Kudos]
    people: dict[int, Person]
    teams: dict[int, tuple[Team | None, list[Person]]]
    values: list[str]
    given: dict[int, list[tuple[datetime, int]]]

    @classmethod
    async def load(cls, requests: Sequence[KudosRequest], keys: Sequence[str]) -> _Lookups:
        first = requests[0].ctx
        session = first.session
        earlier = await kudos_store.kudos_by_keys(session, keys=keys)
        named = [person for request in requests for person in request.draft.people]
        people = {person.id or 0: person for person in await people_store.people_by_ids(session, ids=named)}
        teams: dict[int, tuple[Team | None, list[Person]]] = {}
        for team_id in dict.fromkeys(request.draft.teams[0] for request in requests if request.draft.teams):
            team = await people_store.get_team(session, team_id=team_id)
            members = await people_store.team_members(session, team_id=team_id) if team is not None else []
            teams[team_id] = (team, members)
        values = await known_values(first) if any(request.draft.values for request in requests) else []
        since: dict[int, datetime] = {}
        for request in requests:
            ctx = request.ctx
            midnight = local_midnight(ctx.now, ctx.actor, ctx.policy)
            giver = ctx.actor.id or 0
            since[giver] = min(since.get(giver, midnight), midnight)
        given = await kudos_store.points_given(session, since=since)
        return cls(earlier=earlier, people=people, teams=teams, values=values, given=given)

    def remaining(self, ctx: Context) -> int:
        """The giver's points left today, counting what this batch has given so far."""
        midnight = local_midnight(ctx.now, ctx.actor, ctx.policy)
        used = sum(points for moment, points in self.given.get(ctx.actor.id or 0, ()) if moment >= midnight)
        return max(0, ctx.policy.daily_allowance - used)

    def spend(self, ctx: Context, points: int) -> None:
        self.given.setdefault(ctx.actor.id or 0, []).append((ctx.now.astimezone(UTC), points))


def _check(
    ctx: Context, draft: KudosDraft, source: KudosSource, lookups: _Lookups
) -> tuple[KudosFacts, list[NewRecipient]]:
    """The kudos' facts and its recipients, or the first rule it breaks."""
    t, policy = ctx.t, ctx.policy
    if not draft.has_recipients:
        raise KudosRejected(explain_parse_error(t, KudosParseError("no_recipients")))
    if not 1 <= draft.points <= policy.max_points_per_kudos:
        raise KudosRejected(t("Points must be a whole number from 1 to {most}.", most=policy.max_points_per_kudos))
    people = _named_people(ctx, draft, lookups)
    team, members = _team(ctx, draft, lookups)
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
    values = _check_values(ctx, draft.values, lookups.values)
    recipients = [NewRecipient(person.id or 0, person.team_id) for person in people]
    named = {person.id for person in people}
    recipients += [
        NewRecipient(member.id or 0, team.id if team else None) for member in members if member.id not in named
    ]
    cost = draft.points * len(recipients)
    left = lookups.remaining(ctx)
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
    return facts, recipients


def _named_people(ctx: Context, draft: KudosDraft, lookups: _Lookups) -> list[Person]:
    t = ctx.t
    if ctx.actor.id in draft.people:
        raise KudosRejected(t("You can't give kudos to yourself, but it's a fine day to recognise a colleague!"))
    people: list[Person] = []
    for person_id in draft.people:
        person = lookups.people.get(person_id)
        if person is None:
            raise KudosRejected(t("I don't know one of the people you mentioned."))
        if person.is_bot:
            raise KudosRejected(t("{name} is a bot: kudos are for people.", name=person.display_name))
        if not person.active:
            raise KudosRejected(t("{name} is no longer active here.", name=person.display_name))
        people.append(person)
    return people


def _team(ctx: Context, draft: KudosDraft, lookups: _Lookups) -> tuple[Team | None, list[Person]]:
    """The first team mentioned and its members who can receive kudos (not the giver, no bots)."""
    if not draft.teams:
        return None, []
    team, everyone = lookups.teams.get(draft.teams[0], (None, []))
    if team is None or team.id is None:
        raise KudosRejected(ctx.t("I don't know the team you mentioned."))
    members = [member for member in everyone if member.id != ctx.actor.id and not member.is_bot]
    if not members:
        raise KudosRejected(ctx.t("Nobody else in {team} can receive kudos yet.", team=team.name))
    return team, members


def _check_values(ctx: Context, tags: tuple[str, ...], known: list[str]) -> tuple[str, ...]:
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


def _confirmation(ctx: Context, facts: KudosFacts, remaining: int) -> Reply:
    """The giver's confirmation, with the points they have left today."""
    card = confirmation(
        ctx.t,
        facts,
        remaining=remaining,
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
