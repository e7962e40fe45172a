"""team action plans: plans per team and pulse period, proposed actions, votes, admins' suggested actions

Revision ID: 0014_action_plans
Revises: 0013_event_inbox
Create Date: 2026-12-03 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014_action_plans"
down_revision: str | None = "0013_event_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "action_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("period", _string(32), nullable=False),
        sa.Column("driver", _string(32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("status", _string(16), nullable=False),
        sa.Column("vote_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "period"),
    )
    with op.batch_alter_table("action_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_plan_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_plan_vote_closes_at"), ["vote_closes_at"], unique=False)
    op.create_table(
        "action_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("text", _string(200), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("status", _string(16), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["action_plan.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["proposed_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_proposal_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_proposal_team_id"), ["team_id"], unique=False)
    op.create_table(
        "action_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["action_plan.id"]),
        sa.ForeignKeyConstraint(["option_id"], ["action_proposal.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "person_id"),
    )
    with op.batch_alter_table("action_vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_vote_round_id"), ["round_id"], unique=False)
    op.create_table(
        "action_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("driver", _string(32), nullable=False),
        sa.Column("language", _string(8), nullable=False),
        sa.Column("text", _string(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("driver", "language", "text"),
    )


def downgrade() -> None:
    op.drop_table("action_suggestion")
    with op.batch_alter_table("action_vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_vote_round_id"))
    op.drop_table("action_vote")
    with op.batch_alter_table("action_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_proposal_team_id"))
        batch_op.drop_index(batch_op.f("ix_action_proposal_plan_id"))
    op.drop_table("action_proposal")
    with op.batch_alter_table("action_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_plan_vote_closes_at"))
        batch_op.drop_index(batch_op.f("ix_action_plan_team_id"))
    op.drop_table("action_plan")
