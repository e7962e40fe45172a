"""keyed ballots: no ballot table, no "answered" flag, respondents under keyed keys, answer versions

Open pulses are closed (their tokens were stored next to people: they cannot be re-keyed without leaking), every
unkeyed answer and comment hash is erased, the stored ballot tokens go with their table, and pulse buttons are taken
out of queued and sent messages (pending ones are dropped). Who answered becomes a count (respondent rows with random
keys). Then the freed pages leave the files: SQLite is vacuumed and its WAL truncated, PostgreSQL's touched tables
are rewritten into new files, so no old token or hash stays readable in the database's bytes.

Revision ID: 0009_keyed_ballots
Revises: 0008_one_head
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_keyed_ballots"
down_revision: str | Sequence[str] | None = "0008_one_head"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PULSE_BUTTONS = ("pulse.answer", "pulse.show", "pulse.comment")
REWRITTEN = ("pulse_answer", "pulse_comment", "pulse_participation", "pulse_respondent", "outbox")

round_table = sa.table(
    "pulse_round",
    sa.column("id", sa.Integer),
    sa.column("closed", sa.Boolean),
    sa.column("closes_at", sa.DateTime(timezone=True)),
)
participation = sa.table("pulse_participation", sa.column("round_id", sa.Integer), sa.column("answered", sa.Boolean))
respondent = sa.table("pulse_respondent", sa.column("key", sa.String), sa.column("round_id", sa.Integer))
outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("status", sa.String), sa.column("payload", sa.Text))


def upgrade() -> None:
    op.create_table(
        "pulse_respondent",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["pulse_round.id"]),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_pulse_respondent_round_id"), "pulse_respondent", ["round_id"], unique=False)
    with op.batch_alter_table("pulse_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_check", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    _count_respondents()
    _close_open_rounds()
    op.execute("UPDATE pulse_answer SET ballot_hash = NULL")
    op.execute("UPDATE pulse_comment SET ballot_hash = NULL")
    _strip_pulse_buttons()
    with op.batch_alter_table("pulse_ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_ballot_round_id"))
        batch_op.drop_index(batch_op.f("ix_pulse_ballot_person_id"))
    op.drop_table("pulse_ballot")
    with op.batch_alter_table("pulse_participation", schema=None) as batch_op:
        batch_op.drop_column("answered")
    with op.batch_alter_table("pulse_answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    _vacuum()


def _count_respondents() -> None:
    """Who answered, as a count per round: one respondent row with a random key per "answered" flag."""
    bind = op.get_bind()
    counts = bind.execute(
        sa.select(participation.c.round_id, sa.func.count())
        .where(participation.c.answered.is_(True))
        .group_by(participation.c.round_id)
    ).all()
    rows = [{"key": uuid.uuid4().hex, "round_id": round_id} for round_id, count in counts for _ in range(count)]
    if rows:
        op.bulk_insert(respondent, rows)


def _close_open_rounds() -> None:
    now = datetime.now(UTC)
    op.execute(
        round_table.update().where(round_table.c.closed.is_(False), round_table.c.closes_at > now).values(closes_at=now)
    )
    op.execute(round_table.update().where(round_table.c.closed.is_(False)).values(closed=True))


def _strip_pulse_buttons() -> None:
    """Take the pulse buttons (and so the tokens) out of every stored message; drop the ones not sent yet."""
    bind = op.get_bind()
    holding = sa.or_(*(outbox.c.payload.contains(f'"{action}"') for action in PULSE_BUTTONS))
    for row_id, status, payload in bind.execute(
        sa.select(outbox.c.id, outbox.c.status, outbox.c.payload).where(holding)
    ):
        if status == "pending":
            bind.execute(outbox.delete().where(outbox.c.id == row_id))
            continue
        try:
            card = json.loads(payload)
        except ValueError:
            card = {}
        choices = card.get("choices") if isinstance(card, dict) else None
        if isinstance(choices, list):
            card["choices"] = [
                item for item in choices if not isinstance(item, dict) or item.get("action") not in PULSE_BUTTONS
            ]
            text = json.dumps(card)
        else:
            text = "{}"
        bind.execute(outbox.update().where(outbox.c.id == row_id).values(payload=text))


def _vacuum() -> None:
    """Rewrite the files so the pages that held tokens, hashes and "answered" flags are gone, not merely free.

    SQLite: commit, then `VACUUM` and truncate the WAL. PostgreSQL: each table is copied aside, truncated (new files,
    whatever old row versions another snapshot might still see) and filled again, in the migration's transaction.
    """
    if op.get_bind().dialect.name != "sqlite":
        for table in REWRITTEN:
            op.execute(f"CREATE TEMPORARY TABLE kept_{table} ON COMMIT DROP AS SELECT * FROM {table}")
            op.execute(f"TRUNCATE {table}")
            op.execute(f"INSERT INTO {table} SELECT * FROM kept_{table}")
        return
    with op.get_context().autocommit_block():
        op.execute("VACUUM")
        op.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def downgrade() -> None:
    """Back to ballots and the "answered" flag, empty: what was erased cannot come back."""
    with op.batch_alter_table("pulse_round", schema=None) as batch_op:
        batch_op.drop_column("key_check")
    with op.batch_alter_table("pulse_answer", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("pulse_participation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "pulse_ballot",
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["question_id"], ["pulse_question.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["pulse_round.id"]),
        sa.PrimaryKeyConstraint("token"),
        sa.UniqueConstraint("round_id", "question_id", "person_id"),
    )
    op.create_index(op.f("ix_pulse_ballot_person_id"), "pulse_ballot", ["person_id"], unique=False)
    op.create_index(op.f("ix_pulse_ballot_round_id"), "pulse_ballot", ["round_id"], unique=False)
    op.drop_index(op.f("ix_pulse_respondent_round_id"), table_name="pulse_respondent")
    op.drop_table("pulse_respondent")
