"""The company directory: importing people, their teams and managers from a CSV file, naming each bad line."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.i18n import SUPPORTED_LANGUAGES, Translator
from storage import people as people_store
from storage.models import Person, Team

MAX_FIELD_LENGTH = 200


@dataclass(frozen=True)
class DirectoryRow:
    line: int
    email: str
    name: str
    team: str
    manager_email: str
    timezone: str
    language: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    teams_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self, t: Translator) -> str:
        return t(
            "{created} created, {updated} updated, {unchanged} unchanged, {teams} new teams, {errors} rows rejected",
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            teams=self.teams_created,
            errors=len(self.errors),
        )


def _valid_email(value: str) -> bool:
    local, _, domain = value.partition("@")
    return bool(local) and "." in domain and " " not in value and len(value) <= 254


def parse_directory_csv(text: str, t: Translator) -> tuple[list[DirectoryRow], list[RowError]]:
    """Read the CSV, keeping good rows and naming each bad one by its line number (the header is line 1)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        return [], [RowError(1, t("the file is empty"))]
    except csv.Error as error:
        return [], [RowError(1, t("unreadable CSV: {error}", error=str(error)))]
    missing = [column for column in ("email", "name") if column not in header]
    if missing:
        return [], [RowError(1, t("missing column(s): {columns}", columns=", ".join(missing)))]
    rows: list[DirectoryRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(reader.line_num, t("unreadable CSV: {error}", error=str(error))))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        values = {name: (record[index].strip() if index < len(record) else "") for index, name in enumerate(header)}
        problem = _row_problem(values, t)
        email = values.get("email", "").lower()
        if problem is None and email in seen:
            problem = t("{email} already appears on line {line}", email=email, line=seen[email])
        if problem is not None:
            errors.append(RowError(line, problem))
            continue
        seen[email] = line
        rows.append(
            DirectoryRow(
                line=line,
                email=email,
                name=values["name"],
                team=values.get("team", ""),
                manager_email=values.get("manager_email", "").lower(),
                timezone=values.get("timezone", ""),
                language=values.get("language", "").lower(),
            )
        )
    return rows, errors


def _row_problem(values: dict[str, str], t: Translator) -> str | None:
    email = values.get("email", "")
    if not _valid_email(email):
        return t("invalid email '{email}'", email=email[:MAX_FIELD_LENGTH]) if email else t("email is missing")
    if not values.get("name"):
        return t("name is missing")
    if any(len(value) > MAX_FIELD_LENGTH for value in values.values()):
        return t("a field is longer than {limit} characters", limit=MAX_FIELD_LENGTH)
    manager = values.get("manager_email", "")
    if manager and not _valid_email(manager):
        return t("invalid manager email '{email}'", email=manager)
    zone = values.get("timezone", "")
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            return t("unknown time zone '{zone}'", zone=zone)
    language = values.get("language", "").lower()
    if language and language not in SUPPORTED_LANGUAGES:
        return t("unsupported language '{language}'", language=language)
    return None


async def import_directory(session: AsyncSession, rows: list[DirectoryRow], t: Translator) -> ImportReport:
    """Create or update people and teams; importing the same rows again changes nothing.

    A row is rejected before anything is written when its manager is neither in the file's accepted rows nor in the
    directory already, so a rejected row creates no person and no team, and the summary counts what really changed.
    """
    report = ImportReport()
    rows = await _rows_with_known_managers(session, rows, report, t)
    teams = await _teams_of(session, rows, report)
    people: dict[str, Person] = {}
    outcomes: dict[str, str] = {}
    for row in rows:
        people[row.email], outcomes[row.email] = await _save_person(session, row, teams)
    for email in await _link_managers(session, rows, people):
        if outcomes[email] == "unchanged":
            outcomes[email] = "updated"
    tally = Counter(outcomes.values())
    report.created, report.updated, report.unchanged = tally["created"], tally["updated"], tally["unchanged"]
    await _assign_team_managers(session, rows, people, teams)
    return report


async def _rows_with_known_managers(
    session: AsyncSession, rows: list[DirectoryRow], report: ImportReport, t: Translator
) -> list[DirectoryRow]:
    """The rows whose manager exists, in the file or the directory; rejecting a manager's row rejects their reports
    too, until nothing changes."""
    in_directory: dict[str, bool] = {}
    kept = list(rows)
    while True:
        emails = {row.email for row in kept}
        rejected: list[DirectoryRow] = []
        for row in kept:
            manager = row.manager_email
            if not manager or manager in emails:
                continue
            if manager not in in_directory:
                in_directory[manager] = await people_store.person_by_email(session, email=manager) is not None
            if not in_directory[manager]:
                rejected.append(row)
        if not rejected:
            return kept
        for row in rejected:
            report.errors.append(
                RowError(row.line, t("manager {email} is not in the directory", email=row.manager_email))
            )
        kept = [row for row in kept if row not in rejected]


async def _teams_of(session: AsyncSession, rows: list[DirectoryRow], report: ImportReport) -> dict[str, Team]:
    """The teams the accepted rows name, by lower-case name, creating those that do not exist yet."""
    teams: dict[str, Team] = {}
    for name in sorted({row.team for row in rows if row.team}, key=str.lower):
        if name.lower() in teams:
            continue
        team = await people_store.team_by_name(session, name=name)
        if team is None:
            team = Team(name=name)
            await people_store.save(session, team)
            report.teams_created += 1
        teams[name.lower()] = team
    return teams


async def _save_person(session: AsyncSession, row: DirectoryRow, teams: dict[str, Team]) -> tuple[Person, str]:
    """The row's person, created or brought up to date, and which of the two happened (or `unchanged`)."""
    person = await people_store.person_by_email(session, email=row.email)
    wanted: dict[str, object] = {
        "display_name": row.name,
        "team_id": teams[row.team.lower()].id if row.team else None,
        "timezone": row.timezone or None,
        "language": row.language or None,
    }
    if person is None:
        person = Person.model_validate({"email": row.email, **wanted})
        await people_store.save(session, person)
        return person, "created"
    if all(getattr(person, key) == value for key, value in wanted.items()):
        return person, "unchanged"
    for key, value in wanted.items():
        setattr(person, key, value)
    await people_store.save(session, person)
    return person, "updated"


async def _link_managers(session: AsyncSession, rows: list[DirectoryRow], people: dict[str, Person]) -> set[str]:
    """Point each person at their manager (known to exist by now); the emails whose manager changed."""
    changed: set[str] = set()
    for row in rows:
        if not row.manager_email:
            continue
        manager = people.get(row.manager_email) or await people_store.person_by_email(session, email=row.manager_email)
        person = people[row.email]
        if manager is not None and manager.id != person.manager_id and manager.id != person.id:
            person.manager_id = manager.id
            await people_store.save(session, person)
            changed.add(row.email)
    return changed


async def _assign_team_managers(
    session: AsyncSession, rows: list[DirectoryRow], people: dict[str, Person], teams: dict[str, Team]
) -> None:
    """A team's manager is the person most of its members report to."""
    for key, team in teams.items():
        votes = Counter(
            people[row.email].manager_id
            for row in rows
            if row.team.lower() == key and people[row.email].manager_id is not None
        )
        members = {people[row.email].id for row in rows if row.team.lower() == key}
        candidates = [(count, manager) for manager, count in votes.items() if manager not in members or count > 1]
        if not candidates:
            continue
        manager_id = max(candidates, key=lambda item: (item[0], -(item[1] or 0)))[1]
        if team.manager_id != manager_id:
            team.manager_id = manager_id
            await people_store.save(session, team)
