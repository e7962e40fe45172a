"""sealed follow-up: an outbox row can name its recipient sealed with the secret key (`outbox.sealed_to`) instead of
by person id; "a manager replied" notices queued the old way, which named the comment's author, are deleted

Revision ID: 0010_sealed_followup
Revises: 0009_keyed_ballots
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010_sealed_followup"
down_revision: str | None = "0009_keyed_ballots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTHOR_NOTICE_KIND = "pulse.followup"


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_to", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
    # The migration has no key to seal them with: a notice still waiting is lost rather than left naming its author.
    op.execute(sa.text("DELETE FROM outbox WHERE kind = :kind").bindparams(kind=AUTHOR_NOTICE_KIND))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM outbox WHERE sealed_to IS NOT NULL"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("sealed_to")
