"""teams conversation references

Revision ID: 0004_teams
Revises: 0001_directory
Create Date: 2026-11-22 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_teams"
down_revision: str | None = "0001_directory"
branch_labels: str | Sequence[str] | None = ("teams",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams_conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("tenant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("service_url", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("teams_conversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_conversation_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_teams_conversation_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("teams_conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_conversation_person_id"))
        batch_op.drop_index(batch_op.f("ix_teams_conversation_conversation_id"))
    op.drop_table("teams_conversation")
