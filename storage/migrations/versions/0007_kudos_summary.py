"""kudos summary: points per period over closed days for the leaderboards and reward pots, with a journal of later
changes written by triggers on kudos_recipient

The triggers make the summary right in the same transaction as any change to a kudos it already counted (a kudos
stamped with an old day, a deletion, an update), whoever makes it: each such change is journalled, signed, in
kudos_summary_change, which the readers add and the next roll-up folds in. On PostgreSQL every change also takes a
shared advisory lock that the roll-up takes exclusively, so a change is judged against the summary state the roll-up
leaves and never falls between what the roll-up read and where it moved the boundary (SQLite has one writer at a
time already).

Revision ID: 0007_kudos_summary
Revises: 0001_directory
Create Date: 2026-11-25 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_kudos_summary"
down_revision: str | None = "0001_directory"
branch_labels: str | Sequence[str] | None = ("summary",)
depends_on: str | Sequence[str] | None = None

# The same number as storage.kudos.rollup.LOCK_KEY ("bravoks1"); a migration keeps its own copy.
LOCK_KEY = 0x627261766F6B7331
TRACKED_COLUMNS = ("kudos_id", "recipient_id", "team_id", "points", "created_at")
UNTIL = "(SELECT summarised_until FROM kudos_summary_state WHERE id = 1)"
CHANGE_COLUMNS = "kudos_summary_change (created_at, recipient_id, team_id, points, kudos, team_kudos)"


def _team_kudos(row: str, sign: str, exclude: str | None) -> str:
    """+1/-1 when the row is its team's only row of that kudos (the team's distinct count moves), else 0."""
    others = f"kudos_id = {row}.kudos_id AND team_id = {row}.team_id" + (f" AND id <> {exclude}.id" if exclude else "")
    return (
        f"CASE WHEN {row}.team_id IS NULL OR EXISTS (SELECT 1 FROM kudos_recipient WHERE {others}) "
        f"THEN 0 ELSE {sign}1 END"
    )


def _sqlite_values(row: str, sign: str, exclude: str | None) -> str:
    return (
        f"{row}.created_at, {row}.recipient_id, {row}.team_id, {sign}{row}.points, {sign}1, "
        f"{_team_kudos(row, sign, exclude)}"
    )


SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER kudos_summary_insert BEFORE INSERT ON kudos_recipient
WHEN NEW.created_at < {UNTIL}
BEGIN
    INSERT INTO {CHANGE_COLUMNS} VALUES ({_sqlite_values("NEW", "", None)});
END""",
    f"""CREATE TRIGGER kudos_summary_delete BEFORE DELETE ON kudos_recipient
WHEN OLD.created_at < {UNTIL}
BEGIN
    INSERT INTO {CHANGE_COLUMNS} VALUES ({_sqlite_values("OLD", "-", "OLD")});
END""",
    f"""CREATE TRIGGER kudos_summary_update BEFORE UPDATE OF {", ".join(TRACKED_COLUMNS)} ON kudos_recipient
WHEN {" OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in TRACKED_COLUMNS)}
BEGIN
    INSERT INTO {CHANGE_COLUMNS} SELECT {_sqlite_values("OLD", "-", "OLD")} WHERE OLD.created_at < {UNTIL};
    INSERT INTO {CHANGE_COLUMNS} SELECT {_sqlite_values("NEW", "", "OLD")} WHERE NEW.created_at < {UNTIL};
END""",
)
SQLITE_DROPS = tuple(f"DROP TRIGGER IF EXISTS kudos_summary_{event}" for event in ("insert", "delete", "update"))

POSTGRES_FUNCTIONS = (
    f"""CREATE FUNCTION kudos_summary_note(
    p_id integer, p_kudos integer, p_recipient integer, p_team integer, p_points integer, p_at timestamptz,
    p_sign integer
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_until timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});
    SELECT summarised_until INTO v_until FROM kudos_summary_state WHERE id = 1;
    IF v_until IS NOT NULL AND p_at < v_until THEN
        INSERT INTO {CHANGE_COLUMNS}
        VALUES (
            p_at, p_recipient, p_team, p_sign * p_points, p_sign,
            CASE WHEN p_team IS NULL OR EXISTS (
                SELECT 1 FROM kudos_recipient k WHERE k.kudos_id = p_kudos AND k.team_id = p_team AND k.id <> p_id
            ) THEN 0 ELSE p_sign END
        );
    END IF;
END
$$""",
    """CREATE FUNCTION kudos_summary_journal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_id integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        v_id := NEW.id;
    ELSE
        v_id := OLD.id;
        PERFORM kudos_summary_note(
            v_id, OLD.kudos_id, OLD.recipient_id, OLD.team_id, OLD.points, OLD.created_at, -1
        );
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    PERFORM kudos_summary_note(v_id, NEW.kudos_id, NEW.recipient_id, NEW.team_id, NEW.points, NEW.created_at, 1);
    RETURN NEW;
END
$$""",
    """CREATE FUNCTION kudos_summary_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM kudos_summary;
    DELETE FROM kudos_summary_change;
    DELETE FROM kudos_summary_state;
    RETURN NULL;
END
$$""",
)
POSTGRES_TRIGGERS = (
    """CREATE TRIGGER kudos_summary_journal BEFORE INSERT OR DELETE ON kudos_recipient
FOR EACH ROW EXECUTE FUNCTION kudos_summary_journal()""",
    f"""CREATE TRIGGER kudos_summary_journal_update BEFORE UPDATE OF {", ".join(TRACKED_COLUMNS)} ON kudos_recipient
FOR EACH ROW WHEN (({", ".join(f"OLD.{c}" for c in TRACKED_COLUMNS)}) IS DISTINCT FROM
    ({", ".join(f"NEW.{c}" for c in TRACKED_COLUMNS)}))
EXECUTE FUNCTION kudos_summary_journal()""",
    """CREATE TRIGGER kudos_summary_truncate AFTER TRUNCATE ON kudos_recipient
FOR EACH STATEMENT EXECUTE FUNCTION kudos_summary_forget()""",
)
POSTGRES_DROPS = (
    "DROP TRIGGER IF EXISTS kudos_summary_truncate ON kudos_recipient",
    "DROP TRIGGER IF EXISTS kudos_summary_journal_update ON kudos_recipient",
    "DROP TRIGGER IF EXISTS kudos_summary_journal ON kudos_recipient",
    "DROP FUNCTION IF EXISTS kudos_summary_forget()",
    "DROP FUNCTION IF EXISTS kudos_summary_journal()",
    "DROP FUNCTION IF EXISTS kudos_summary_note(integer, integer, integer, integer, integer, timestamptz, integer)",
)


def upgrade() -> None:
    op.create_table(
        "kudos_summary",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("subject_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("kudos", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "subject", "starts_on", "subject_id"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_kudos_summary_subject",
        "kudos_summary",
        ["kind", "subject", "subject_id", "starts_on", "points"],
        unique=False,
    )
    op.create_table(
        "kudos_summary_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("kudos", sa.Integer(), nullable=False),
        sa.Column("team_kudos", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_kudos_summary_change_created_at"), "kudos_summary_change", ["created_at"], unique=False)
    op.create_index("ix_kudos_summary_change_team", "kudos_summary_change", ["team_id", "created_at"], unique=False)
    op.create_table(
        "kudos_summary_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("zone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("next_day", sa.Date(), nullable=False),
        sa.Column("summarised_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    statements = POSTGRES_FUNCTIONS + POSTGRES_TRIGGERS if _postgres() else SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    for statement in POSTGRES_DROPS if _postgres() else SQLITE_DROPS:
        op.execute(statement)
    op.drop_table("kudos_summary_state")
    op.drop_index("ix_kudos_summary_change_team", table_name="kudos_summary_change")
    op.drop_index(op.f("ix_kudos_summary_change_created_at"), table_name="kudos_summary_change")
    op.drop_table("kudos_summary_change")
    op.drop_index("ix_kudos_summary_subject", table_name="kudos_summary")
    op.drop_table("kudos_summary")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"
