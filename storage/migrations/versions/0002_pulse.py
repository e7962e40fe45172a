"""pulse checks: question bank, plans, rounds, participation, ballots and anonymous answers

Revision ID: 0002_pulse
Revises: 0001_directory
Create Date: 2026-11-22 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002_pulse"
down_revision: str | None = "0001_directory"
branch_labels: str | Sequence[str] | None = ("pulse",)
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "pulse_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _string(64), nullable=False),
        sa.Column("driver", _string(32), nullable=False),
        sa.Column("scale", _string(16), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_fr", sa.Text(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(op.f("ix_pulse_question_driver"), "pulse_question", ["driver"], unique=False)
    op.create_table(
        "pulse_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("cadence", _string(16), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("local_time", _string(5), nullable=True),
        sa.Column("questions", sa.Integer(), nullable=True),
        sa.Column("window_hours", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id"),
    )
    op.create_table(
        "pulse_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("period", _string(32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "period"),
    )
    op.create_index(op.f("ix_pulse_round_closed"), "pulse_round", ["closed"], unique=False)
    op.create_index(op.f("ix_pulse_round_closes_at"), "pulse_round", ["closes_at"], unique=False)
    op.create_index(op.f("ix_pulse_round_team_id"), "pulse_round", ["team_id"], unique=False)
    op.create_table(
        "pulse_round_question",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["pulse_question.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["pulse_round.id"]),
        sa.PrimaryKeyConstraint("round_id", "question_id"),
    )
    op.create_table(
        "pulse_participation",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["pulse_round.id"]),
        sa.PrimaryKeyConstraint("round_id", "person_id"),
    )
    op.create_index(op.f("ix_pulse_participation_person_id"), "pulse_participation", ["person_id"], unique=False)
    op.create_table(
        "pulse_ballot",
        sa.Column("token", _string(64), nullable=False),
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
    op.create_table(
        "pulse_answer",
        sa.Column("id", _string(32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("ballot_hash", _string(64), nullable=True),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["pulse_question.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["pulse_round.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_hash"),
    )
    op.create_index(op.f("ix_pulse_answer_question_id"), "pulse_answer", ["question_id"], unique=False)
    op.create_index(op.f("ix_pulse_answer_round_id"), "pulse_answer", ["round_id"], unique=False)
    op.create_table(
        "pulse_comment",
        sa.Column("id", _string(32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("ballot_hash", _string(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sealed_reply_to", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["question_id"], ["pulse_question.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["pulse_round.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_hash"),
    )
    op.create_index(op.f("ix_pulse_comment_question_id"), "pulse_comment", ["question_id"], unique=False)
    op.create_index(op.f("ix_pulse_comment_round_id"), "pulse_comment", ["round_id"], unique=False)
    op.create_table(
        "pulse_followup",
        sa.Column("id", _string(32), nullable=False),
        sa.Column("comment_id", _string(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("from_author", sa.Boolean(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["manager_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id", "position"),
    )
    op.create_index(op.f("ix_pulse_followup_comment_id"), "pulse_followup", ["comment_id"], unique=False)


def downgrade() -> None:
    for table in (
        "pulse_followup",
        "pulse_comment",
        "pulse_answer",
        "pulse_ballot",
        "pulse_participation",
        "pulse_round_question",
        "pulse_round",
        "pulse_plan",
        "pulse_question",
    ):
        op.drop_table(table)
