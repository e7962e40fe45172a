"""No table holds an answer together with anything that identifies who gave it: read from the models and from the
migrated database on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime, Integer, inspect

from storage.db import Database
from storage.models import metadata
from tests.conftest import both_engines

ANSWER_TABLES = ("pulse_answer", "pulse_comment")
PERSON_HINTS = ("person", "user", "author", "email", "slack", "teams", "member", "manager", "name")
TIME_HINTS = ("_at", "time", "date", "created", "updated", "day")
# The only columns of the answer tables: what was answered, to which question, in which round, the (erasable) key
# made with the secret, and how many times it was written; a comment adds its text and the author's address sealed
# outside the database.
ALLOWED = {
    "pulse_answer": {"id", "round_id", "question_id", "ballot_hash", "value", "version"},
    "pulse_comment": {"id", "round_id", "question_id", "ballot_hash", "text", "sealed_reply_to"},
}


def _check(
    table: str, columns: list[dict[str, Any]], foreign_keys: list[dict[str, Any]], primary_key: list[str]
) -> None:
    names = {column["name"] for column in columns}
    assert names == ALLOWED[table], table
    for column in columns:
        assert not isinstance(column["type"], DateTime), f"{table}.{column['name']} is a timestamp"
        lowered = column["name"].lower()
        assert not any(hint in lowered for hint in PERSON_HINTS + TIME_HINTS), f"{table}.{lowered}"
    assert {fk["referred_table"] for fk in foreign_keys} == {"pulse_round", "pulse_question"}, table
    key_types = [column["type"] for column in columns if column["name"] in primary_key]
    assert primary_key == ["id"] and not any(isinstance(kind, Integer) for kind in key_types), (
        f"{table} must not have an ordered (autoincrement) key"
    )


def test_models_keep_answers_apart_from_people() -> None:
    for name in ANSWER_TABLES:
        table = metadata.tables[name]
        columns = [{"name": column.name, "type": column.type} for column in table.columns]
        foreign_keys = [{"referred_table": fk.column.table.name} for fk in table.foreign_keys]
        _check(name, columns, foreign_keys, [column.name for column in table.primary_key.columns])


def test_who_answered_is_a_count_of_keys_naming_nobody() -> None:
    table = metadata.tables["pulse_respondent"]
    assert set(table.columns.keys()) == {"key", "round_id"}
    assert {fk.column.table.name for fk in table.foreign_keys} == {"pulse_round"}
    assert [column.name for column in table.primary_key.columns] == ["key"]
    assert set(metadata.tables["pulse_participation"].columns.keys()) == {"round_id", "person_id"}
    assert "pulse_ballot" not in metadata.tables


def test_no_table_links_a_person_to_an_answer_or_a_comment() -> None:
    """Whatever references a person (participation, ballots, the outbox) references no answer and no comment."""
    for table in metadata.sorted_tables:
        referred = {fk.column.table.name for fk in table.foreign_keys}
        if "person" in referred:
            assert not referred & set(ANSWER_TABLES), table.name
            assert not {"ballot_hash", "answer_id", "comment_id"} & set(table.columns.keys()) or (
                table.name == "pulse_followup"
            ), table.name


@both_engines
async def test_the_migrated_database_keeps_answers_apart_from_people(database: Database) -> None:
    async with database.engine.connect() as connection:

        def read(sync: Any) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]]:
            inspector = inspect(sync)
            return {
                name: (
                    inspector.get_columns(name),
                    inspector.get_foreign_keys(name),
                    inspector.get_pk_constraint(name)["constrained_columns"],
                )
                for name in ANSWER_TABLES
            }

        schema = await connection.run_sync(read)
    for name, (columns, foreign_keys, primary_key) in schema.items():
        _check(name, columns, foreign_keys, primary_key)
