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

from bot.runtime import Runtime
from bot.slack.mentions import find_slack_mentions, to_canonical
from bot.slack.people import Known, SlackDirectory
from handlers.context import Context
from handlers.people import PlatformProfile, sync_platform_person
from scheduler.outbox_worker import OutboxWorker
from storage.events import claim_event
from storage.models.base import utcnow

T = TypeVar("T")


@dataclass
class SlackTurn:
    """What a listener's use case gets: the core's Context and the Slack ids resolved for this request."""

    ctx: Context
    known: Known
    bot_user_id: str | None = None

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
        mentioned = [find_slack_mentions(text) for text in texts]
        wanted_users = [user_id, *users, *(uid for found in mentioned for uid in found.users)]
        groups = {gid: label for found in mentioned for gid, label in found.usergroups.items()}
        directory = self.directory
        learnt = await directory.fetch(wanted_users, groups)
        async with self.runtime.database.transaction() as session:
            if claim is not None and not await claim_event(session, key=claim):
                return None
            known = await directory.apply(session, learnt, wanted_users, groups)
            actor = known.people.get(user_id)
            if actor is None:
                actor = await sync_platform_person(
                    session, PlatformProfile(platform="slack", platform_id=user_id, display_name=user_id)
                )
                known.people[user_id] = actor
            ctx = Context(
                session=session,
                actor=actor,
                policy=self.runtime.policy,
                now=self.clock(),
                platform="slack",
                event_key=event_key,
                channel=channel,
            )
            result = await use_case(SlackTurn(ctx=ctx, known=known, bot_user_id=bot_user_id))
        self.worker.wake()
        return result
