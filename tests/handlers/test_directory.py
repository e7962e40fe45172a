"""Directory CSV: bad rows are named by line and skipped, good rows kept, re-import changes nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.directory import import_directory, parse_directory_csv
from handlers.i18n import Translator
from storage import people as people_store
from storage.db import Database
from tests.conftest import both_engines

EN = Translator("en")
CSV = """email,name,team,manager_email,timezone,language
alice@acme.test,Alice Martin,Engineering,dana@acme.test,Europe/Paris,fr
bob@acme.test,Bob Smith,Engineering,alice@acme.test,Europe/London,en
not-an-email,Broken Row,Engineering,,,
carol@acme.test,Carol Jones,Sales,alice@acme.test,Mars/Olympus,
dana@acme.test,Dana Okafor,,,,
erin@acme.test,Erin Wu,Engineering,alice@acme.test,,
"""


def test_bad_rows_are_reported_with_their_line_numbers() -> None:
    rows, errors = parse_directory_csv(CSV, EN)
    assert [row.email for row in rows] == ["alice@acme.test", "bob@acme.test", "dana@acme.test", "erin@acme.test"]
    assert [(error.line, error.message) for error in errors] == [
        (4, "invalid email 'not-an-email'"),
        (5, "unknown time zone 'Mars/Olympus'"),
    ]


def test_errors_are_in_the_readers_language() -> None:
    _, errors = parse_directory_csv(CSV, Translator("fr"))
    assert errors[0].message == "adresse e-mail invalide « not-an-email »"


def test_missing_columns_and_duplicates() -> None:
    assert parse_directory_csv("name\nBob\n", EN)[1][0].message == "missing column(s): email"
    rows, errors = parse_directory_csv("email,name\na@x.io,A\nA@x.io,B\n", EN)
    assert len(rows) == 1 and errors[0].line == 3 and "line 2" in errors[0].message


@given(st.text(max_size=400))
def test_any_text_parses_without_raising(text: str) -> None:
    rows, errors = parse_directory_csv(text, EN)
    assert all(row.line >= 2 for row in rows)
    assert all(error.line >= 1 for error in errors)


@given(
    st.lists(
        st.tuples(st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.io", fullmatch=True), st.text(min_size=1, max_size=30)),
        max_size=15,
    )
)
def test_valid_rows_all_survive_quoting(people: list[tuple[str, str]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "name"])
    writer.writerows(people)
    rows, errors = parse_directory_csv(buffer.getvalue(), EN)
    emails = [email for email, name in people if name.strip()]
    unique = list(dict.fromkeys(emails))
    assert [row.email for row in rows] == unique
    assert len(errors) == len(people) - len(unique)


@both_engines
async def test_import_creates_people_teams_and_managers_then_changes_nothing(database: Database) -> None:
    rows, _ = parse_directory_csv(CSV, EN)
    async with database.transaction() as session:
        first = await import_directory(session, rows, EN)
    assert (first.created, first.updated, first.teams_created, first.errors) == (4, 0, 1, [])
    async with database.transaction() as session:
        second = await import_directory(session, rows, EN)
    assert (second.created, second.updated, second.unchanged, second.teams_created) == (0, 0, 4, 0)
    async with database.sessions() as session:
        bob = await people_store.person_by_email(session, email="bob@acme.test")
        alice = await people_store.person_by_email(session, email="alice@acme.test")
        team = await people_store.team_by_name(session, name="Engineering")
        assert bob is not None and alice is not None and team is not None
        assert bob.manager_id == alice.id and alice.language == "fr" and bob.timezone == "Europe/London"
        assert team.manager_id == alice.id
        assert len(await people_store.all_people(session)) == 4


@both_engines
async def test_reimport_updates_changed_rows(database: Database) -> None:
    rows, _ = parse_directory_csv("email,name,team\nbob@acme.test,Bob,Sales\n", EN)
    async with database.transaction() as session:
        await import_directory(session, rows, EN)
    rows, _ = parse_directory_csv("email,name,team\nbob@acme.test,Bob Smith,Engineering\n", EN)
    async with database.transaction() as session:
        report = await import_directory(session, rows, EN)
    assert (report.created, report.updated, report.teams_created) == (0, 1, 1)


MIXED = """email,name,team,manager_email,timezone,language
alice@acme.test,Alice Martin,Engineering,,,
bob@acme.test,Bob Smith,Engineering,alice@acme.test,,
gus@acme.test,Gus Ghost,Phantoms,nobody@acme.test,,
hal@acme.test,Hal Ghost,Spectres,gus@acme.test,,
"""


@both_engines
async def test_a_row_with_an_unknown_manager_changes_nothing_and_the_summary_is_true(database: Database) -> None:
    """Gus's manager is nowhere, so Gus is rejected, and with him Hal who reports to Gus: neither they nor their
    teams exist afterwards, and the summary counts only Alice and Bob."""
    rows, errors = parse_directory_csv(MIXED, EN)
    assert errors == []
    async with database.transaction() as session:
        report = await import_directory(session, rows, EN)
    assert [(error.line, error.message) for error in report.errors] == [
        (4, "manager nobody@acme.test is not in the directory"),
        (5, "manager gus@acme.test is not in the directory"),
    ]
    assert report.summary(EN) == "2 created, 0 updated, 0 unchanged, 1 new teams, 2 rows rejected"
    async with database.sessions() as session:
        assert sorted(person.email or "" for person in await people_store.all_people(session)) == [
            "alice@acme.test",
            "bob@acme.test",
        ]
        assert await people_store.team_by_name(session, name="Phantoms") is None
        assert await people_store.team_by_name(session, name="Spectres") is None


@both_engines
async def test_a_new_manager_alone_counts_as_an_update(database: Database) -> None:
    rows, _ = parse_directory_csv("email,name\nalice@acme.test,Alice\nbob@acme.test,Bob\n", EN)
    async with database.transaction() as session:
        await import_directory(session, rows, EN)
    rows, _ = parse_directory_csv(
        "email,name,manager_email\nalice@acme.test,Alice,\nbob@acme.test,Bob,alice@acme.test\n", EN
    )
    async with database.transaction() as session:
        report = await import_directory(session, rows, EN)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
