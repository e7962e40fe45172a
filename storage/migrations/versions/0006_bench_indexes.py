"""indexes for windows of time: a team's, a recipient's and a giver's kudos by date

The digests, reward pots and leaderboards read one team's (or person's) kudos over a window; with an index on the
team alone the database read the team's whole history and filtered it by date. Each composite index starts with
the column of the single-column index it replaces, so every query that used the old one can use the new one.

Revision ID: 0006_bench_indexes
Revises: 0001_directory
Create Date: 2026-11-22 14:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_bench_indexes"
down_revision: str | None = "0001_directory"
branch_labels: str | Sequence[str] | None = ("indexes",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_kudos_giver_created", "kudos", ["giver_id", "created_at"], unique=False)
    op.drop_index("ix_kudos_giver_id", table_name="kudos")
    op.create_index(
        "ix_kudos_recipient_team_created",
        "kudos_recipient",
        ["team_id", "created_at", "points", "kudos_id"],
        unique=False,
    )
    op.drop_index("ix_kudos_recipient_team_id", table_name="kudos_recipient")
    op.create_index(
        "ix_kudos_recipient_recipient_created",
        "kudos_recipient",
        ["recipient_id", "created_at", "points"],
        unique=False,
    )
    op.drop_index("ix_kudos_recipient_recipient_id", table_name="kudos_recipient")


def downgrade() -> None:
    op.create_index("ix_kudos_recipient_recipient_id", "kudos_recipient", ["recipient_id"], unique=False)
    op.drop_index("ix_kudos_recipient_recipient_created", table_name="kudos_recipient")
    op.create_index("ix_kudos_recipient_team_id", "kudos_recipient", ["team_id"], unique=False)
    op.drop_index("ix_kudos_recipient_team_created", table_name="kudos_recipient")
    op.create_index("ix_kudos_giver_id", "kudos", ["giver_id"], unique=False)
    op.drop_index("ix_kudos_giver_created", table_name="kudos")
