"""scheduled post claims, team schedules and collective rewards

Revision ID: 0003_schedule
Revises: 0001_directory
Create Date: 2026-11-22 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_schedule"
down_revision: str | None = "0001_directory"
branch_labels: str | Sequence[str] | None = ("schedule",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "period", "target"),
    )
    with op.batch_alter_table("scheduled_post", schema=None) as batch_op:
        batch_op.create_index("ix_scheduled_post_status", ["status", "claimed_at"], unique=False)

    op.create_table(
        "team_schedule",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("manager_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("team_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("team_id"),
    )

    op.create_table(
        "reward_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("reward", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["proposed_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reward_option", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reward_option_team_id"), ["team_id"], unique=False)

    op.create_table(
        "reward_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=True),
        sa.Column("goal_points", sa.Integer(), nullable=True),
        sa.Column("reward", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["option_id"], ["reward_option.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope_key", "number"),
    )
    with op.batch_alter_table("reward_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reward_round_team_id"), ["team_id"], unique=False)

    op.create_table(
        "reward_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["option_id"], ["reward_option.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["reward_round.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "person_id"),
    )
    with op.batch_alter_table("reward_vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reward_vote_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reward_vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reward_vote_round_id"))
    op.drop_table("reward_vote")
    with op.batch_alter_table("reward_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reward_round_team_id"))
    op.drop_table("reward_round")
    with op.batch_alter_table("reward_option", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reward_option_team_id"))
    op.drop_table("reward_option")
    op.drop_table("team_schedule")
    with op.batch_alter_table("scheduled_post", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_post_status")
    op.drop_table("scheduled_post")
