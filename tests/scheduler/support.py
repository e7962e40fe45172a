"""A small organisation for the scheduler, digest and reward tests: two teams whose managers live in different
time zones, and a way to record kudos at a chosen moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.directory import DirectoryRow, import_directory
from handlers.i18n import Translator
from handlers.messages import Card
from scheduler.config import SchedulerConfig
from scheduler.schedules import parse_schedule
from storage import people as people_store
from storage.db import Database
from storage.models import Kudos, KudosRecipient, KudosValue, OutboxMessage, Person, Team

# email, name, team, manager, time zone, language, Slack id
PEOPLE: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("alice@acme.test", "Alice Martin", "", "", "Europe/Paris", "", "UALICE"),
    ("noah@acme.test", "Noah Brown", "", "", "America/New_York", "", "UNOAH"),
    ("bob@acme.test", "Bob Smith", "Engineering", "alice@acme.test", "Europe/London", "", "UBOB"),
    ("claire@acme.test", "Claire Petit", "Engineering", "alice@acme.test", "Europe/Paris", "fr", "UCLAIRE"),
    ("david@acme.test", "David Chen", "Engineering", "alice@acme.test", "America/New_York", "", "UDAVID"),
    ("grace@acme.test", "Grace Lee", "Sales", "noah@acme.test", "America/Toronto", "", "UGRACE"),
    ("hugo@acme.test", "Hugo Bernard", "Sales", "noah@acme.test", "America/New_York", "fr", "UHUGO"),
)
TEAM_CHANNELS = {"Engineering": "CENG", "Sales": "CSALES"}


@dataclass
class Org:
    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)

    def __getitem__(self, first_name: str) -> Person:
        return self.people[first_name]


async def seed(session: AsyncSession, *, slack: bool = False, channels: bool = False) -> Org:
    """Engineering (managed by Alice, Paris) and Sales (managed by Noah, New York); managers are outside the teams."""
    rows = [
        DirectoryRow(line=index + 2, email=e, name=n, team=team, manager_email=m, timezone=tz, language=lang)
        for index, (e, n, team, m, tz, lang, _) in enumerate(PEOPLE)
    ]
    await import_directory(session, rows, Translator("en"))
    org = Org()
    for email, name, *_rest, slack_id in PEOPLE:
        person = await people_store.person_by_email(session, email=email)
        assert person is not None
        if slack:
            person.slack_id = slack_id
            await people_store.save(session, person)
        org.people[name.split()[0]] = person
    for name, channel in TEAM_CHANNELS.items():
        team = await people_store.team_by_name(session, name=name)
        assert team is not None
        if channels:
            team.slack_channel = channel
            await people_store.save(session, team)
        org.teams[name] = team
    return org


async def seed_database(database: Database, **options: bool) -> Org:
    async with database.transaction() as session:
        return await seed(session, **options)


async def give(
    session: AsyncSession,
    giver: Person,
    recipients: Sequence[Person],
    *,
    at: datetime,
    points: int = 1,
    message: str = "thanks for the help",
    values: Sequence[str] = (),
) -> Kudos:
    """Record a kudos as the kudos use case stores it: the recipient's team at that moment earns the points."""
    moment = at.astimezone(UTC)
    kudos = Kudos(
        giver_id=giver.id or 0,
        points=points,
        message=message,
        source="command",
        platform="slack",
        idempotency_key=f"test:{giver.id}:{moment.isoformat()}:{message}",
        created_at=moment,
    )
    session.add(kudos)
    await session.flush()
    for person in recipients:
        session.add(
            KudosRecipient(
                kudos_id=kudos.id or 0,
                recipient_id=person.id or 0,
                team_id=person.team_id,
                points=points,
                created_at=moment,
            )
        )
    for value in values:
        session.add(KudosValue(kudos_id=kudos.id or 0, value=value))
    await session.flush()
    return kudos


def config(**changes: object) -> SchedulerConfig:
    """Default schedules in a Paris workspace; pass `platforms=("slack",)` to post in the teams' Slack channels."""
    values: dict[str, object] = {
        "timezone": "Europe/Paris",
        "manager_digest": parse_schedule("mon 09:00"),
        "team_digest": parse_schedule("fri 15:00"),
        "leaderboard": parse_schedule("fri 16:00"),
        "grace": timedelta(hours=24),
    }
    values.update(changes)
    return SchedulerConfig(**values)  # type: ignore[arg-type]


async def queued(database: Database, *, kind: str) -> list[OutboxMessage]:
    """Outbox rows of a kind, oldest first."""
    async with database.sessions() as session:
        statement = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(col(OutboxMessage.id))
        return list((await session.exec(statement)).all())


def card_of(row: OutboxMessage) -> Card:
    return Card.model_validate_json(row.payload)
