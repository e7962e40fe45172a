"""One Slack request's unit of work: learn unknown users, then run a use case in one transaction.

Order matters for durability and speed: Slack's Web API is asked about unknown people before the transaction opens;
the use case and its outbox rows commit together; only then does the listener acknowledge Slack, and the outbox
worker is woken to deliver.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime import Runtime
from bot.slack.mentions import find_slack_mentions, to_canonical
from bot.slack.people import Known, SlackDirectory
from handlers.context import Context
from handlers.people import PlatformProfile, sync_platform_person
from scheduler.outbox_worker import OutboxWorker
from storage.events import claim_event
from storage.models import Person
from storage.models.base import utcnow

T = TypeVar("T")


@dataclass
class SlackTurn:
    """What a listener's use case gets: the core's Context and the Slack ids resolved for this request."""

    ctx: Context
    known: Known
    bot_user_id: str | None = None
    texts: tuple[str, ...] = ()

    def canonical(self, text: str) -> str:
        """The text with Slack markup rewritten for the core (the bot's own mention dropped)."""
        drop = frozenset({self.bot_user_id}) if self.bot_user_id else frozenset()
        return to_canonical(text, people=self.known.person_ids, teams=self.known.team_ids, drop_users=drop)

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

    @property
    def directory(self) -> SlackDirectory:
        return SlackDirectory(self.client, self.runtime.database)

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
    ) -> T | None:
        """Run `use_case` as `user_id`; None when `claim` was already handled (a Slack retry)."""
        request = TurnRequest(user_id, tuple(texts), tuple(users), channel, event_key, claim, bot_user_id)

        async def one(turns: Sequence[SlackTurn]) -> list[T]:
            return [await use_case(turn) for turn in turns]

        (result,) = await self.run_many([request], one)
        return result

    async def run_many(
        self, requests: Sequence[TurnRequest], use_case: Callable[[Sequence[SlackTurn]], Awaitable[Sequence[T]]]
    ) -> list[T | None]:
        """Run one use case over several requests in one transaction; None for a request already handled."""
        mentioned = [find_slack_mentions(text) for request in requests for text in request.texts]
        wanted_users = [
            *(request.user_id for request in requests),
            *(user for request in requests for user in request.users),
            *(uid for found in mentioned for uid in found.users),
        ]
        groups = {gid: label for found in mentioned for gid, label in found.usergroups.items()}
        directory = self.directory
        learnt = await directory.fetch(wanted_users, groups)
        results: list[T | None] = [None] * len(requests)
        async with self.runtime.database.transaction() as session:
            known = await directory.apply(session, learnt, wanted_users, groups)
            turns: dict[int, SlackTurn] = {}
            for index, request in enumerate(requests):
                if request.claim is not None and not await claim_event(session, key=request.claim):
                    continue
                ctx = Context(
                    session=session,
                    actor=await self._actor(session, known, request.user_id),
                    policy=self.runtime.policy,
                    now=self.clock(),
                    platform="slack",
                    event_key=request.event_key,
                    channel=request.channel,
                )
                turns[index] = SlackTurn(ctx=ctx, known=known, bot_user_id=request.bot_user_id, texts=request.texts)
            if turns:
                for index, result in zip(turns, await use_case(list(turns.values())), strict=True):
                    results[index] = result
        self.worker.wake()
        return results

    async def _actor(self, session: AsyncSession, known: Known, user_id: str) -> Person:
        """The person behind a Slack user, created with their id as a name if Slack could not tell us more."""
        actor = known.people.get(user_id)
        if actor is None:
            actor = await sync_platform_person(
                session, PlatformProfile(platform="slack", platform_id=user_id, display_name=user_id)
            )
            known.people[user_id] = actor
        return actor


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
