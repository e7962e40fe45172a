"""One Slack request's unit of work: learn unknown users, then run a use case in one transaction.

Order matters for durability and speed: Slack's Web API is asked about unknown people, the user groups mentioned
and the conversation's privacy before the transaction opens; the use case and its outbox rows commit together; only
then does the listener acknowledge Slack, and the outbox worker is woken to deliver.

A kudos given in a private channel or a group DM is not re-posted publicly (`bot.slack.conversations`): its turn's
rules have no recognition channel. Someone from another organisation (Slack Connect, `bot.slack.people`) is not
served at all: they are told why, once, instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime import Runtime
from bot.slack.cache import SlackMemory
from bot.slack.conversations import announced, maybe_external
from bot.slack.enrichment import Enricher
from bot.slack.lookups import UserLookups
from bot.slack.mentions import find_slack_mentions, to_canonical
from bot.slack.people import Introduction, Known, SlackDirectory
from handlers.context import Context
from handlers.i18n import Translator, normalise_language
from handlers.messages import Line, Reply
from handlers.people import PlatformProfile, sync_platform_person
from scheduler.outbox_worker import OutboxWorker
from storage.events import claim_events
from storage.models import Person
from storage.models.base import utcnow

T = TypeVar("T")
log = logging.getLogger(__name__)


def outsider_notice(t: Translator) -> str:
    return t(
        "Kudos are for colleagues in this organisation: people from another organisation in a shared channel can "
        "neither give nor receive them."
    )


@dataclass
class SlackTurn:
    """What a listener's use case gets: the core's Context and the Slack ids resolved for this request."""

    ctx: Context
    known: Known
    bot_user_id: str | None = None
    texts: tuple[str, ...] = ()
    # The request's delivery key when it has one (a Slack event id): what it queues may be keyed by it.
    claim: str | None = None

    def canonical(self, text: str) -> str:
        """The text with Slack markup rewritten for the core (the bot's own mention dropped, a user group as its
        members who can receive kudos: people Bravo knows, active, not bots, not the giver)."""
        drop = frozenset({self.bot_user_id}) if self.bot_user_id else frozenset()
        groups = {
            group: [
                person.id or 0
                for member in members
                if (person := self.known.people.get(member)) is not None
                and person.active
                and not person.is_bot
                and person.id != self.ctx.actor.id
            ]
            for group, members in self.known.groups.items()
        }
        return to_canonical(
            text, people=self.known.person_ids, teams=self.known.team_ids, groups=groups, drop_users=drop
        )

    def noted(self, reply: Reply) -> Reply:
        """The reply, with a word on the people it names from another organisation, whom Bravo left out."""
        mentioned = {user for text in self.texts for user in find_slack_mentions(text).users}
        names = [profile.display_name for user, profile in self.known.outsiders.items() if user in mentioned]
        if not names or reply.card is None:
            return reply
        t = self.ctx.t
        note = Line.of(
            t("No kudos for {people}, from another organisation: kudos are for colleagues here.", people=t.join(names))
        )
        card = reply.card.model_copy(update={"context": (*reply.card.context, note)})
        return reply.model_copy(update={"card": card})

    def person_id(self, slack_id: str) -> int | None:
        person = self.known.people.get(slack_id)
        return person.id if person is not None else None

    def slack_ids(self) -> dict[str, str]:
        """Person id (as text) -> Slack user id, for pre-filling user pickers."""
        return {str(person.id): slack_id for slack_id, person in self.known.people.items()}


@dataclass
class SlackBot:
    """Everything the listeners share: settings, database, Web API client, outbox worker and the clock."""

    runtime: Runtime
    worker: OutboxWorker
    client: AsyncWebClient
    clock: Callable[[], datetime] = field(default=utcnow)
    memory: SlackMemory = field(default_factory=SlackMemory)
    lookups: UserLookups = field(init=False)
    enricher: Enricher = field(init=False)

    def __post_init__(self) -> None:
        self.lookups = UserLookups(self.client)
        self.enricher = Enricher(self.lookups, self.runtime.database, self.clock)

    @property
    def directory(self) -> SlackDirectory:
        return SlackDirectory(self.client, self.runtime.database, self.memory, self.clock(), self.lookups)

    async def run(
        self,
        *,
        user_id: str,
        use_case: Callable[[SlackTurn], Awaitable[T]],
        texts: Sequence[str] = (),
        users: Iterable[str] = (),
        channel: str | None = None,
        event_key: str | None = None,
        claim: str | None = None,
        bot_user_id: str | None = None,
        channel_hint: str | None = None,
        refuse: Callable[[Translator], T] | None = None,
        introduced: Introduction | None = None,
    ) -> T | None:
        """Run `use_case` as `user_id`; None when `claim` was already handled (a Slack retry)."""
        request = TurnRequest(
            user_id, tuple(texts), tuple(users), channel, event_key, claim, bot_user_id, channel_hint, introduced
        )

        async def one(turns: Sequence[SlackTurn]) -> list[T]:
            return [await use_case(turn) for turn in turns]

        (result,) = await self.run_many([request], one, refuse=refuse)
        return result

    async def run_many(
        self,
        requests: Sequence[TurnRequest],
        use_case: Callable[[Sequence[SlackTurn]], Awaitable[Sequence[T]]],
        *,
        refuse: Callable[[Translator], T] | None = None,
    ) -> list[T | None]:
        """Run one use case over several requests in one transaction; None for a request already handled.

        Someone from another organisation gets `refuse`'s answer in their language, or, without one, an ephemeral
        word where they are.
        """
        mentioned = [find_slack_mentions(text) for request in requests for text in request.texts]
        wanted_users = [
            *(request.user_id for request in requests),
            *(user for request in requests for user in request.users),
            *(uid for found in mentioned for uid in found.users),
        ]
        groups = {gid: label for found in mentioned for gid, label in found.usergroups.items()}
        directory = self.directory
        public = await self._public_channels(requests)
        learnt = await directory.fetch(wanted_users, groups, self._introduced(requests))
        results: list[T | None] = [None] * len(requests)
        refused: list[tuple[int, TurnRequest, Translator]] = []
        async with self.runtime.database.transaction() as session:
            known = await directory.apply(session, learnt, wanted_users, groups)
            first_time = await _first_time(session, requests)
            turns: dict[int, SlackTurn] = {}
            for index, request in enumerate(requests):
                if index not in first_time:
                    continue
                outsider = known.outsiders.get(request.user_id)
                if outsider is not None:
                    language = normalise_language(outsider.locale, self.runtime.policy.language)
                    refused.append((index, request, Translator(language)))
                    continue
                policy = self.runtime.policy
                if not public.get(request.channel or "", True):
                    policy = replace(policy, recognition_channel=None)
                ctx = Context(
                    session=session,
                    actor=await self._actor(session, known, request.user_id),
                    policy=policy,
                    now=self.clock(),
                    platform="slack",
                    event_key=request.event_key,
                    channel=request.channel,
                )
                turns[index] = SlackTurn(
                    ctx=ctx, known=known, bot_user_id=request.bot_user_id, texts=request.texts, claim=request.claim
                )
            if turns:
                for index, result in zip(turns, await use_case(list(turns.values())), strict=True):
                    results[index] = result
        self.worker.wake()
        self.enricher.enrich(learnt.introduced)
        for index, request, t in refused:
            if refuse is not None:
                results[index] = refuse(t)
            else:
                await self._tell_outsider(request, t)
        return results

    def _introduced(self, requests: Sequence[TurnRequest]) -> dict[str, Introduction]:
        """The requests' own users who may be recorded from what their request says: not where people from another
        organisation may be (a slash command's `team_id` is not documented to be the user's own workspace there)."""
        now = self.clock()
        return {
            request.user_id: request.introduced
            for request in requests
            if request.introduced is not None and not maybe_external(self.memory, request.channel, now)
        }

    async def _public_channels(self, requests: Sequence[TurnRequest]) -> dict[str, bool]:
        """Whether each request's conversation may see its kudos re-posted publicly (`bot.slack.conversations`)."""
        hints = {request.channel: request.channel_hint for request in requests if request.channel}
        now = self.clock()
        return {
            channel: await announced(self.client, self.memory, channel, hint=hint, now=now)
            for channel, hint in hints.items()
        }

    async def _tell_outsider(self, request: TurnRequest, t: Translator) -> None:
        if not request.channel:
            return
        try:
            await self.client.chat_postEphemeral(channel=request.channel, user=request.user_id, text=outsider_notice(t))
        except SlackApiError as error:
            log.info("could not tell %s why Bravo ignores them: %s", request.user_id, error.response.get("error"))

    async def _actor(self, session: AsyncSession, known: Known, user_id: str) -> Person:
        """The person behind a Slack user, created with their id as a name if Slack could not tell us more."""
        actor = known.people.get(user_id)
        if actor is None:
            actor = await sync_platform_person(
                session, PlatformProfile(platform="slack", platform_id=user_id, display_name=user_id)
            )
            known.people[user_id] = actor
        return actor


async def _first_time(session: AsyncSession, requests: Sequence[TurnRequest]) -> set[int]:
    """The requests to run: those without a claim, and the first of each claim never handled before (one statement
    for the whole batch; a Slack retry or a repeat within the batch is left out)."""
    claimed = await claim_events(session, keys=[request.claim for request in requests if request.claim is not None])
    chosen: set[int] = set()
    for index, request in enumerate(requests):
        if request.claim is None:
            chosen.add(index)
        elif (key := request.claim[:255]) in claimed:
            claimed.discard(key)
            chosen.add(index)
    return chosen


@dataclass(frozen=True)
class TurnRequest:
    """One Slack request to run: who, the texts whose mentions must be resolved, and how a retry is recognised."""

    user_id: str
    texts: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    channel: str | None = None
    event_key: str | None = None
    claim: str | None = None
    bot_user_id: str | None = None
    # What the request itself says of its conversation (an event's `channel_type`, a command's `channel_name`).
    channel_hint: str | None = None
    # What the request says of its user (a slash command's or an interaction's payload): records someone new at once.
    introduced: Introduction | None = None
