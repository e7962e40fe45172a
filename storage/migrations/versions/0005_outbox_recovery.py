"""outbox recovery: who holds a delivery's lease (a restart takes back a dead process's at once), and whether an
earlier attempt may have delivered it (looked for before sending again)

Revision ID: 0005_outbox_recovery
Revises: 0001_directory
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_outbox_recovery"
down_revision: str | None = "0001_directory"
branch_labels: str | Sequence[str] | None = ("outbox",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column("in_doubt", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("in_doubt")
        batch_op.drop_column("lease_owner")
