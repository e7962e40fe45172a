"""Queueing deliveries: the one way a card for a person or a channel becomes outbox rows.

Every use case, scheduled post and late chat reply goes through here, so the rules live in one place: which of the
configured platforms reach a person, one row per platform, and an idempotency key per platform so that the same
delivery queued twice (a retried request, a second replica) is stored once. Cards arrive already written in their
reader's language (`handlers.context.translator_for_person` for a person, the workspace's for a channel). The rows
are committed with the change that caused them and sent by the outbox worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Card
from handlers.policy import Policy
from handlers.sealing import keyed_digest, seal_payload, seal_person
from storage import outbox
from storage.models import Person, Team
from storage.outbox import NewDelivery

__all__ = [
    "NewDelivery",
    "channel_delivery",
    "team_channels",
    "person_deliveries",
    "person_platforms",
    "queue",
    "recognition_channel",
    "recognition_channels",
    "sealed_person_deliveries",
    "shown_in_channel",
]
SEALED_KEY = "outbox-dedupe"
CONSOLE_RECOGNITION_CHANNEL = "kudos"


def person_platforms(person: Person, configured: tuple[str, ...] = ()) -> list[str]:
    """Where a person can be reached among the configured platforms; with none configured (the console demo),
    everyone reads the console. Someone on no configured platform cannot be reached: nothing is queued for them."""
    if not configured:
        return ["console"]
    ids = {"slack": person.slack_id, "teams": person.teams_id}
    return [platform for platform in configured if ids.get(platform)]


def _platform_key(dedupe_key: str | None, platform: str) -> str | None:
    """One idempotency key per platform: the same card goes once to each platform, never twice to one."""
    return f"{dedupe_key}:{platform}" if dedupe_key else None


def person_deliveries(
    *,
    person: Person,
    card: Card,
    kind: str,
    platforms: tuple[str, ...] = (),
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> list[NewDelivery]:
    """A direct message to a person on each of `platforms` they use (none: the console), not before `not_before`."""
    payload = card.model_dump_json()
    return [
        NewDelivery(
            kind=kind,
            platform=platform,
            payload=payload,
            person_id=person.id,
            dedupe_key=_platform_key(dedupe_key, platform),
            not_before=not_before,
        )
        for platform in person_platforms(person, platforms)
    ]


def sealed_person_deliveries(
    *,
    person: Person,
    card: Card,
    kind: str,
    secret: str,
    platforms: tuple[str, ...] = (),
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> list[NewDelivery]:
    """As `person_deliveries`, for a message whose row must not say whom it goes to: the person and the card (in
    their language, which would narrow them down) are sealed with the secret key, and the idempotency key is a keyed
    digest, so none can be read or recomputed from the database. The outbox worker opens them when it sends and
    deletes the row once delivered."""
    assert person.id is not None and secret
    return [
        replace(
            delivery,
            person_id=None,
            sealed_to=seal_person(secret, person.id),
            payload=seal_payload(secret, delivery.payload),
            dedupe_key=f"sealed:{keyed_digest(secret, SEALED_KEY, delivery.dedupe_key)}"
            if delivery.dedupe_key
            else None,
        )
        for delivery in person_deliveries(
            person=person, card=card, kind=kind, platforms=platforms, dedupe_key=dedupe_key, not_before=not_before
        )
    ]


def team_channels(team: Team, platforms: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """A team's channel on each configured platform; a console channel in the demo (no platform configured)."""
    if not platforms:
        return (("console", "team-" + "-".join(team.name.lower().split())),)
    channels = []
    if "slack" in platforms and team.slack_channel:
        channels.append(("slack", team.slack_channel))
    if "teams" in platforms and team.teams_channel:
        channels.append(("teams", team.teams_channel))
    return tuple(channels)


def recognition_channel(policy: Policy, platform: str) -> str | None:
    """Where recognition is announced on a platform (a kudos' post, a reward reached); the console's own channel."""
    if platform == "slack":
        return policy.recognition_channel
    if platform == "teams":
        return policy.teams_recognition_channel
    if platform == "console":
        return CONSOLE_RECOGNITION_CHANNEL
    return None


def recognition_channels(policy: Policy) -> tuple[tuple[str, str], ...]:
    """The recognition channel on each configured platform that has one; the console's in the demo."""
    platforms = policy.platforms or ("console",)
    return tuple((platform, channel) for platform in platforms if (channel := recognition_channel(policy, platform)))


def shown_in_channel(*, person: Person, platform: str, channel: str, card: Card, kind: str) -> NewDelivery:
    """A message to one person, shown to them alone in a channel where they acted (Slack's ephemeral messages; a
    direct message when the channel refuses it). Queued once with the change it reports: no key needed."""
    return NewDelivery(
        kind=kind, platform=platform, payload=card.model_dump_json(), person_id=person.id, channel=channel
    )


def channel_delivery(
    *, platform: str, channel: str, card: Card, kind: str, dedupe_key: str | None = None
) -> NewDelivery:
    """A post in a channel (a team's, the recognition channel, the leaderboard's)."""
    return NewDelivery(
        kind=kind,
        platform=platform,
        payload=card.model_dump_json(),
        channel=channel,
        dedupe_key=_platform_key(dedupe_key, platform),
    )


async def queue(session: AsyncSession, deliveries: Sequence[NewDelivery]) -> int:
    """Queue deliveries in the caller's transaction, in one statement; those whose key is already queued are
    skipped. Returns how many were asked for."""
    await outbox.enqueue_many(session, deliveries)
    return len(deliveries)
