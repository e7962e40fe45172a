"""The demo organisation the console starts with, so a newcomer has colleagues to recognise."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.directory import DirectoryRow, import_directory
from handlers.i18n import Translator
from storage import people as people_store

DEMO_PEOPLE: tuple[tuple[str, str, str, str, str, str], ...] = (
    # email, name, team, manager email, time zone, language
    ("dana@demo.bravo", "Dana Okafor", "", "", "Europe/London", ""),
    ("alice@demo.bravo", "Alice Martin", "Engineering", "dana@demo.bravo", "Europe/Paris", ""),
    ("bob@demo.bravo", "Bob Smith", "Engineering", "alice@demo.bravo", "Europe/London", ""),
    ("claire@demo.bravo", "Claire Petit", "Engineering", "alice@demo.bravo", "Europe/Paris", "fr"),
    ("david@demo.bravo", "David Chen", "Engineering", "alice@demo.bravo", "America/New_York", ""),
    ("emma@demo.bravo", "Emma Wilson", "Engineering", "alice@demo.bravo", "Europe/London", ""),
    ("farid@demo.bravo", "Farid Benali", "Engineering", "alice@demo.bravo", "Europe/Paris", "fr"),
    ("bruno@demo.bravo", "Bruno Dubois", "Sales", "dana@demo.bravo", "Europe/Paris", "fr"),
    ("grace@demo.bravo", "Grace Lee", "Sales", "bruno@demo.bravo", "America/Toronto", ""),
    ("hugo@demo.bravo", "Hugo Bernard", "Sales", "bruno@demo.bravo", "America/Montreal", "fr"),
    ("chloe@demo.bravo", "Chloé Lambert", "Customer Care", "dana@demo.bravo", "Europe/Paris", "fr"),
    ("ines@demo.bravo", "Inès Moreau", "Customer Care", "chloe@demo.bravo", "Europe/Paris", "fr"),
    ("jack@demo.bravo", "Jack Taylor", "Customer Care", "chloe@demo.bravo", "Europe/Dublin", ""),
)
DEMO_ADMIN = "dana@demo.bravo"
DEMO_DEFAULT_PERSON = "Bob Smith"


async def seed_demo(session: AsyncSession, *, values: tuple[str, ...]) -> bool:
    """Fill an empty database with the demo organisation; a database that has people is left alone."""
    if await people_store.count_people(session):
        return False
    rows = [
        DirectoryRow(line=index + 2, email=e, name=n, team=team, manager_email=m, timezone=tz, language=lang)
        for index, (e, n, team, m, tz, lang) in enumerate(DEMO_PEOPLE)
    ]
    await import_directory(session, rows, Translator("en"))
    admin = await people_store.person_by_email(session, email=DEMO_ADMIN)
    if admin is not None:
        admin.is_admin = True
        await people_store.save(session, admin)
    await people_store.sync_values(session, slugs=values)
    return True
