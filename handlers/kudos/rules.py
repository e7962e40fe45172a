"""The rules a kudos follows: recipients, points, reason, length, values and the daily allowance.

The rules read only what `Lookups` loaded for the whole batch (one statement per kind of lookup), so deciding a
burst of kudos costs no query per kudos. The first rule a kudos breaks is the refusal its giver reads.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from handlers.context import Context
from handlers.i18n import Translator
from handlers.kudos.allowance import AllowanceLedger, over_allowance
from handlers.kudos.cards import KudosFacts
from handlers.kudos.parse import KudosDraft, KudosParseError
from handlers.spelling import closest
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
class KudosRequest:
    """One kudos to give: who asks and when (`ctx`), what they asked for, and the key that makes a retry harmless."""

    ctx: Context
    draft: KudosDraft
    source: KudosSource
    idempotency_key: str | None = None

    def key(self) -> str:
        ctx = self.ctx
        return (self.idempotency_key or ctx.event_key or f"{ctx.platform}:{uuid.uuid4().hex}")[:255]


async def known_values(ctx: Context) -> list[str]:
    """The company values kudos may name: the configured ones in the database, else the policy's."""
    return await people_store.active_values(ctx.session) or list(ctx.policy.company_values)


def explain_parse_error(t: Translator, error: KudosParseError) -> str:
    return t("Who do you want to recognise? Mention them, for example: /kudos @name thanks for the release #teamwork")


async def explain_unmentioned(ctx: Context, text: str, error: KudosParseError) -> str:
    """Nobody is mentioned; an `@name` typed as plain text (not picked as a mention) gets the nearest person's name."""
    typed = PLAIN_AT.search(text)
    if typed is None:
        return explain_parse_error(ctx.t, error)
    names: dict[str, str] = {}
    for person in await people_store.all_people(ctx.session):
        if person.active and not person.is_bot:
            names.setdefault(person.display_name, person.display_name)
            names.setdefault(person.display_name.split()[0] if person.display_name.split() else "", person.display_name)
    found = closest(typed.group(1), [name for name in names if name])
    if found is None:
        return explain_parse_error(ctx.t, error)
    return ctx.t(
        "I don't know anyone called @{name}. Did you mean @{suggestion}?", name=typed.group(1), suggestion=names[found]
    )


PLAIN_AT = re.compile(r"(?<![\w@.<])@([\w'’.-]+)")


@dataclass
class Lookups:
    """What the rules read, loaded for a whole batch with one statement per kind of lookup."""

    earlier: dict[str, Kudos]
    people: dict[int, Person]
    teams: dict[int, tuple[Team | None, list[Person]]]
    values: list[str]
    allowance: AllowanceLedger

    @classmethod
    async def load(cls, requests: Sequence[KudosRequest], keys: Sequence[str]) -> Lookups:
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
        allowance = await AllowanceLedger.load(session, (request.ctx for request in requests))
        return cls(earlier=earlier, people=people, teams=teams, values=values, allowance=allowance)


def check(
    ctx: Context, draft: KudosDraft, source: KudosSource, lookups: Lookups
) -> tuple[KudosFacts, list[NewRecipient]]:
    """The kudos' facts and its recipients, or the first rule it breaks."""
    _check_points(ctx, draft)
    people = _named_people(ctx, draft, lookups)
    team, members = _team(ctx, draft, lookups)
    reason = _reason(ctx, draft, source)
    values = _check_values(ctx, draft.values, lookups.values)
    named = {person.id for person in people}
    team_members = tuple(member for member in members if member.id not in named)
    recipients = [NewRecipient(person.id or 0, person.team_id) for person in people]
    recipients += [NewRecipient(member.id or 0, team.id if team else None) for member in team_members]
    cost, left = draft.points * len(recipients), lookups.allowance.left(ctx)
    if cost > left:
        raise KudosRejected(over_allowance(ctx, cost=cost, left=left))
    facts = KudosFacts(
        giver=ctx.actor,
        people=tuple(people),
        team=team,
        team_members=team_members,
        points=draft.points,
        reason=reason,
        values=values,
        source=source,
        mentioned={person.id or 0: person for person in (*people, *members)},
        teams={team.id or 0: team} if team else {},
    )
    return facts, recipients


def _check_points(ctx: Context, draft: KudosDraft) -> None:
    if not draft.has_recipients:
        raise KudosRejected(explain_parse_error(ctx.t, KudosParseError("no_recipients")))
    most = ctx.policy.max_points_per_kudos
    if not 1 <= draft.points <= most:
        raise KudosRejected(ctx.t("Points must be a whole number from 1 to {most}.", most=most))


def _reason(ctx: Context, draft: KudosDraft, source: KudosSource) -> str:
    """The reason as stored: required (except for a reaction) and no longer than the policy allows."""
    t, limit = ctx.t, ctx.policy.max_message_length
    reason = draft.reason.strip()
    if not reason and source != "reaction":
        raise KudosRejected(
            t("Say why: a kudos needs a reason, for example: /kudos @name thanks for the release #teamwork")
        )
    if len(reason) > limit:
        length = len(reason)
        raise KudosRejected(
            t("Your message is {length} characters long; please keep it under {limit}.", length=length, limit=limit)
        )
    return reason


def _named_people(ctx: Context, draft: KudosDraft, lookups: Lookups) -> list[Person]:
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


def _team(ctx: Context, draft: KudosDraft, lookups: Lookups) -> tuple[Team | None, list[Person]]:
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
        suggestion = closest(tag, known)
        if suggestion:
            raise KudosRejected(
                ctx.t("#{tag} is not one of our values. Did you mean #{suggestion}?", tag=tag, suggestion=suggestion)
            )
        raise KudosRejected(
            ctx.t(
                "#{tag} is not one of our values. Pick from: {values}",
                tag=tag,
                values=" ".join(f"#{value}" for value in known),
            )
        )
    return tags
