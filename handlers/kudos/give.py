"""Giving kudos: one use case for `/kudos`, the kudos form, HeyTaco-style emoji messages and reactions.

A burst of requests is decided together (`give_many`), each as if alone: the rules (`handlers.kudos.rules`) read
lookups made once for the batch, and the kudos, their recipients, values and messages are written with one statement
per table. Everything is written in the caller's transaction, so a kudos and the messages it causes are committed
together before the platform gets its answer; a redelivered request (same idempotency key) returns the first
confirmation (`handlers.kudos.outcome`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import Context
from handlers.delivery import NewDelivery, queue
from handlers.kudos.cards import KudosFacts
from handlers.kudos.notify import kudos_effects
from handlers.kudos.outcome import KudosOutcome, confirmed, stored_facts
from handlers.kudos.parse import KudosDraft, KudosParseError, parse_kudos
from handlers.kudos.rules import KudosRejected, KudosRequest, KudosSource, Lookups, check, explain_unmentioned
from handlers.messages import reply
from storage.kudos import entries as kudos_store
from storage.kudos.entries import NewKudos, NewRecipient


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


async def give_from_texts(items: Sequence[KudosText | KudosRequest]) -> list[KudosOutcome]:
    """Parse each text and give the kudos they describe together (`give_many`) with the requests already drafted (a
    reaction); unreadable texts get the how-to."""
    outcomes: list[KudosOutcome | None] = []
    requests: list[KudosRequest] = []
    for item in items:
        if isinstance(item, KudosRequest):
            requests.append(item)
            outcomes.append(None)
            continue
        try:
            draft = parse_kudos(item.text, read_points=item.points is None)
        except KudosParseError as error:
            outcomes.append(KudosOutcome(reply=reply(await explain_unmentioned(item.ctx, item.text, error))))
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
    lookups = await Lookups.load(requests, keys)
    batch = _Batch()
    for request, key in zip(requests, keys, strict=True):
        batch.outcomes.append(await batch.decide(request, key, lookups))
    return await batch.store(session)


@dataclass(frozen=True)
class _Given:
    """A kudos the batch decided to give: where its outcome is, who asked, and what to store."""

    index: int
    ctx: Context
    facts: KudosFacts
    new: NewKudos


@dataclass
class _Batch:
    """The outcomes decided so far, in request order, and the kudos they will store."""

    outcomes: list[KudosOutcome] = field(default_factory=list)
    given: list[_Given] = field(default_factory=list)
    first_of_key: dict[str, int] = field(default_factory=dict)  # key -> index in `given`
    repeats: list[tuple[int, int]] = field(default_factory=list)  # (outcome index, index in `given`)

    async def decide(self, request: KudosRequest, key: str, lookups: Lookups) -> KudosOutcome:
        """The request's outcome: a repeat of a stored kudos or of one earlier in the batch, a refusal, or given."""
        ctx = request.ctx
        earlier = lookups.earlier.get(key)
        if earlier is not None and earlier.id is not None:
            facts = await stored_facts(ctx, earlier)
            return confirmed(ctx, facts, left=lookups.allowance.left(ctx), kudos_id=earlier.id, duplicate=True)
        if key in self.first_of_key:
            first = self.first_of_key[key]
            self.repeats.append((len(self.outcomes), first))
            return confirmed(ctx, self.given[first].facts, left=lookups.allowance.left(ctx), duplicate=True)
        try:
            facts, recipients = check(ctx, request.draft, request.source, lookups)
        except KudosRejected as rejection:
            return KudosOutcome(reply=reply(rejection.message))
        lookups.allowance.spend(ctx, len(recipients) * request.draft.points)
        self.first_of_key[key] = len(self.given)
        self.given.append(_Given(len(self.outcomes), ctx, facts, _new_kudos(request, key, facts, recipients)))
        return confirmed(ctx, facts, left=lookups.allowance.left(ctx))

    async def store(self, session: AsyncSession) -> list[KudosOutcome]:
        """Insert the kudos given, queue their effects, and put their ids in the outcomes (repeats included)."""
        ids = await kudos_store.insert_many(session, [item.new for item in self.given])
        effects: list[NewDelivery] = []
        for item, kudos_id in zip(self.given, ids, strict=True):
            self.outcomes[item.index] = replace(self.outcomes[item.index], kudos_id=kudos_id)
            effects += kudos_effects(item.ctx, item.facts, kudos_id)
        for repeat, original in self.repeats:
            self.outcomes[repeat] = replace(self.outcomes[repeat], kudos_id=ids[original])
        await queue(session, effects)
        return self.outcomes


def _new_kudos(request: KudosRequest, key: str, facts: KudosFacts, recipients: list[NewRecipient]) -> NewKudos:
    ctx = request.ctx
    return NewKudos(
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
