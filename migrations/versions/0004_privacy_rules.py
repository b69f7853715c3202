"""privacy rules: guardian consent, never-reused candidate ids, gate overrides

- candidates.guardian_consent: under-18 profiles are held only with it.
- SQLite: candidates becomes AUTOINCREMENT, so an erased person's id is never handed to
  someone else (PostgreSQL sequences never reuse ids). The sequence starts above every
  candidate id the audit log has seen, so ids erased before this migration stay unused.
- gate_overrides and placements.under_override: an officer's recorded exception to an
  SSW gate, and the placements made under one (counted by the progress report).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recreate_candidates_on_sqlite(*, autoincrement: bool, guardian: bool) -> None:
    """Rebuild the SQLite table: AUTOINCREMENT lives in its CREATE statement. (env.py turns
    foreign keys off for migrations, so the rebuild's DROP leaves placements' links be.)"""
    with op.batch_alter_table(
        "candidates", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ) as batch_op:
        if guardian:
            batch_op.add_column(
                sa.Column("guardian_consent", sa.Boolean(), server_default=sa.false(),
                          nullable=False)
            )
        else:
            batch_op.drop_column("guardian_consent")
    if autoincrement:
        op.execute("DELETE FROM sqlite_sequence WHERE name = 'candidates'")
        op.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'candidates', max("
            "coalesce((SELECT max(id) FROM candidates), 0), "
            "coalesce((SELECT max(entity_id) FROM audit_log WHERE entity = 'candidate'), 0))"
        )


def _sqlite_feed_triggers() -> None:
    """Rebuilding a SQLite table drops its triggers: put back migration 0003's change feed."""
    for table, column, operations in (
        ("candidates", "id", ("INSERT", "UPDATE", "DELETE")),
        ("placements", "candidate_id", ("INSERT", "UPDATE OF status")),
    ):
        for operation in operations:
            name = f"tb_{table}_{operation.split()[0].lower()}"
            row = "OLD" if operation == "DELETE" else "NEW"
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} "
                f"WHEN {row}.{column} IS NOT NULL BEGIN "
                f"INSERT INTO changes (entity, record_id, deleted, at) VALUES ('candidate', "
                f"{row}.{column}, {1 if operation == 'DELETE' else 0}, CURRENT_TIMESTAMP); END"
            )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate_candidates_on_sqlite(autoincrement=True, guardian=True)
    else:
        with op.batch_alter_table("candidates", schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("guardian_consent", sa.Boolean(), server_default=sa.false(),
                          nullable=False)
            )
    op.create_table(
        "gate_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("gates", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"],
            name=op.f("fk_gate_overrides_candidate_id_candidates"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["organisations.id"],
            name=op.f("fk_gate_overrides_officer_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancies.id"], name=op.f("fk_gate_overrides_vacancy_id_vacancies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_overrides")),
        sa.UniqueConstraint("vacancy_id", "candidate_id", name=op.f("uq_gate_overrides_vacancy_id")),
    )
    with op.batch_alter_table("gate_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gate_overrides_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gate_overrides_vacancy_id"), ["vacancy_id"], unique=False
        )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("under_override", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            "ix_placements_under_override",
            ["placed_on"],
            unique=False,
            sqlite_where=sa.text("under_override = 1"),
            postgresql_where=sa.text("under_override"),
        )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_feed_triggers()


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index("ix_placements_under_override")
        batch_op.drop_column("under_override")
    with op.batch_alter_table("gate_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_overrides_vacancy_id"))
        batch_op.drop_index(batch_op.f("ix_gate_overrides_candidate_id"))
    op.drop_table("gate_overrides")
    if op.get_bind().dialect.name == "sqlite":
        _recreate_candidates_on_sqlite(autoincrement=False, guardian=False)
        _sqlite_feed_triggers()
    else:
        with op.batch_alter_table("candidates", schema=None) as batch_op:
            batch_op.drop_column("guardian_consent")
