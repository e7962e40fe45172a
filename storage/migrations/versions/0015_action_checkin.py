"""action check-ins: pulse rounds of kind `checkin` (with the action as subject) and each done action's check-in

Revision ID: 0015_action_checkin
Revises: 0014_action_plans
Create Date: 2026-12-03 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015_action_checkin"
down_revision: str | None = "0014_action_plans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pulse_round", schema=None) as batch_op:
        kind = sqlmodel.sql.sqltypes.AutoString(length=16)
        batch_op.add_column(sa.Column("kind", kind, server_default="pulse", nullable=False))
        batch_op.add_column(sa.Column("subject", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_pulse_round_kind"), ["kind"], unique=False)
    op.create_table(
        "action_checkin",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("driver", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("before_score", sa.Float(), nullable=True),
        sa.Column("before_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("after_score", sa.Float(), nullable=True),
        sa.Column("after_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["action_proposal.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["pulse_round.id"]),
        sa.PrimaryKeyConstraint("proposal_id"),
        sa.UniqueConstraint("round_id"),
    )
    with op.batch_alter_table("action_checkin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_checkin_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_checkin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_checkin_team_id"))
    op.drop_table("action_checkin")
    with op.batch_alter_table("pulse_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_round_kind"))
        batch_op.drop_column("subject")
        batch_op.drop_column("kind")
