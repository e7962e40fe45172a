"""One head: the per-area branches join here, so new migrations form one line and `status` shows one revision.

Revision ID: 0008_one_head
Revises: 0002_pulse, 0003_schedule, 0004_teams, 0005_outbox_recovery, 0006_bench_indexes, 0007_kudos_summary
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0008_one_head"
down_revision: str | Sequence[str] | None = (
    "0002_pulse",
    "0003_schedule",
    "0004_teams",
    "0005_outbox_recovery",
    "0006_bench_indexes",
    "0007_kudos_summary",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: joining the branches is the whole of this revision."""


def downgrade() -> None:
    """Nothing to undo."""
