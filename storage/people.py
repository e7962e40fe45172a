"""Queries on the directory: people, teams and company values."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CompanyValue, Person, Team
from storage.models.base import utcnow
from storage.upsert import insert_ignore, insert_ignore_many


async def get_person(session: AsyncSession, *, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


# Ids per `IN (…)` list: a statement takes at most 32,767 parameters (asyncpg), and a Monday run names every
# manager and everyone quoted in a highlight, which passes that in an organisation of some 40,000 people.
IDS_PER_STATEMENT = 5_000


async def people_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[Person]:
    """These people; those this transaction has already loaded are taken from it rather than read again."""
    unique = list(dict.fromkeys(ids))
    loaded = session.sync_session.identity_map
    found: list[Person] = []
    missing: list[int] = []
    for person_id in unique:
        person = loaded.get(identity_key(Person, person_id))
        if isinstance(person, Person) and not inspect(person).expired_attributes:
            found.append(person)
        else:
            missing.append(person_id)
    for start in range(0, len(missing), IDS_PER_STATEMENT):
        chunk = missing[start : start + IDS_PER_STATEMENT]
        found.extend((await session.exec(select(Person).where(col(Person.id).in_(chunk)))).all())
    return found


async def person_by_slack_id(session: AsyncSession, *, slack_id: str) -> Person | None:
    return (await session.exec(select(Person).where(Person.slack_id == slack_id))).first()


async def people_by_slack_ids(session: AsyncSession, *, slack_ids: Sequence[str]) -> dict[str, Person]:
    """The known people among these Slack ids, in one query."""
    if not slack_ids:
        return {}
    result = await session.exec(select(Person).where(col(Person.slack_id).in_(list(slack_ids))))
    return {person.slack_id: person for person in result.all() if person.slack_id}


async def known_slack_ids(session: AsyncSession, *, slack_ids: Sequence[str]) -> set[str]:
    """Which of these Slack ids belong to someone Bravo knows (ids only: no one is loaded)."""
    if not slack_ids:
        return set()
    result = await session.exec(select(Person.slack_id).where(col(Person.slack_id).in_(list(slack_ids))))
    return {slack_id for slack_id in result.all() if slack_id}


async def record_slack_people(session: AsyncSession, people: Sequence[tuple[str, str]], now: datetime) -> None:
    """Record people known only by their Slack id and a name, in one statement; anyone already there is kept."""
    rows = [
        {
            "slack_id": slack_id,
            "display_name": name[:200],
            "is_admin": False,
            "is_bot": False,
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        for slack_id, name in people
    ]
    await insert_ignore_many(session, Person, rows)


async def someone_unlinked_on_slack(session: AsyncSession) -> bool:
    """Whether an active person has an email but no Slack id (a directory person not linked to Slack yet)."""
    return await _someone_unlinked(session, col(Person.slack_id))


async def someone_unlinked_on_teams(session: AsyncSession) -> bool:
    """Whether an active person has an email but no Teams id (a directory person not linked to Teams yet)."""
    return await _someone_unlinked(session, col(Person.teams_id))


async def _someone_unlinked(session: AsyncSession, platform_id: Any) -> bool:
    statement = (
        select(Person.id).where(col(Person.email).is_not(None), platform_id.is_(None), col(Person.active)).limit(1)
    )
    return (await session.exec(statement)).first() is not None


async def person_by_teams_id(session: AsyncSession, *, teams_id: str) -> Person | None:
    return (await session.exec(select(Person).where(Person.teams_id == teams_id))).first()


async def person_by_aad_id(session: AsyncSession, *, aad_object_id: str) -> Person | None:
    return (await session.exec(select(Person).where(Person.aad_object_id == aad_object_id))).first()


async def person_by_email(session: AsyncSession, *, email: str) -> Person | None:
    return (await session.exec(select(Person).where(Person.email == email.strip().lower()))).first()


async def people_named(session: AsyncSession, *, name: str) -> list[Person]:
    """People whose display name matches `name` (case-insensitive), exact matches first."""
    wanted = name.strip().lower()
    exact = await session.exec(select(Person).where(func.lower(Person.display_name) == wanted, col(Person.active)))
    found = list(exact.all())
    if found:
        return found
    first_name = await session.exec(
        select(Person).where(func.lower(Person.display_name).like(f"{wanted} %"), col(Person.active))
    )
    return list(first_name.all())


async def all_people(session: AsyncSession, *, active_only: bool = True) -> list[Person]:
    statement = select(Person).order_by(col(Person.display_name))
    if active_only:
        statement = statement.where(col(Person.active), col(Person.is_bot).is_(False))
    return list((await session.exec(statement)).all())


async def team_members(session: AsyncSession, *, team_id: int) -> list[Person]:
    statement = (
        select(Person)
        .where(Person.team_id == team_id, col(Person.active), col(Person.is_bot).is_(False))
        .order_by(col(Person.display_name))
    )
    return list((await session.exec(statement)).all())


async def get_team(session: AsyncSession, *, team_id: int) -> Team | None:
    return await session.get(Team, team_id)


async def team_by_name(session: AsyncSession, *, name: str) -> Team | None:
    statement = select(Team).where(func.lower(Team.name) == name.strip().lower())
    return (await session.exec(statement)).first()


async def team_by_usergroup(session: AsyncSession, *, usergroup: str) -> Team | None:
    return (await session.exec(select(Team).where(Team.slack_usergroup == usergroup))).first()


async def all_teams(session: AsyncSession) -> list[Team]:
    return list((await session.exec(select(Team).order_by(col(Team.name)))).all())


async def teams_by_ids(session: AsyncSession, *, ids: Collection[int]) -> list[Team]:
    """Some teams by id, by name (a handful: the teams a minute's kudos reached)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    statement = select(Team).where(col(Team.id).in_(wanted)).order_by(col(Team.name))
    return list((await session.exec(statement)).all())


async def teams_managed_by(session: AsyncSession, *, person_id: int) -> list[Team]:
    statement = select(Team).where(Team.manager_id == person_id).order_by(col(Team.name))
    return list((await session.exec(statement)).all())


async def save(session: AsyncSession, row: Person | Team | CompanyValue) -> None:
    """Add or update a directory row and flush so its id is known."""
    if isinstance(row, Person):
        row.updated_at = utcnow()
    session.add(row)
    await session.flush()


async def active_values(session: AsyncSession) -> list[str]:
    statement = select(CompanyValue.slug).where(col(CompanyValue.active)).order_by(col(CompanyValue.slug))
    return list((await session.exec(statement)).all())


async def sync_values(session: AsyncSession, *, slugs: Sequence[str]) -> None:
    """Make the configured values the active ones, keeping retired ones for old kudos."""
    wanted = {slug.strip().lower().lstrip("#") for slug in slugs if slug.strip()}
    existing = {value.slug: value for value in (await session.exec(select(CompanyValue))).all()}
    for slug, value in existing.items():
        value.active = slug in wanted
        session.add(value)
    for slug in sorted(wanted - existing.keys()):
        await insert_ignore(session, CompanyValue, {"slug": slug, "active": True})
    await session.flush()


async def count_people(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(Person))).one())


async def manager_links(session: AsyncSession) -> dict[int, int]:
    """Who reports to whom (person id -> manager id), ids only: the management tree pulse roll-ups climb."""
    statement = select(Person.id, Person.manager_id).where(col(Person.manager_id).is_not(None))
    return {
        person_id: manager_id
        for person_id, manager_id in (await session.exec(statement)).all()
        if person_id and manager_id
    }
