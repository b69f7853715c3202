"""duplicates: pairs of records that may be one person, blocking keys, the check queue

Triggers on candidates queue a check for every insert and for every change of a compared
field (name, birth date, state, sector, job title), whatever path made it, bulk loads
included; existing candidates are queued once here.

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
COMPARED = "full_name, date_of_birth, state, sector, job_title"


def upgrade() -> None:
    op.create_table(
        "duplicate_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_a", sa.Integer(), nullable=False),
        sa.Column("candidate_b", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_a"],
            ["candidates.id"],
            name=op.f("fk_duplicate_pairs_candidate_a_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["candidate_b"],
            ["candidates.id"],
            name=op.f("fk_duplicate_pairs_candidate_b_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["organisations.id"],
            name=op.f("fk_duplicate_pairs_decided_by_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_pairs")),
        sa.UniqueConstraint(
            "candidate_a", "candidate_b", name=op.f("uq_duplicate_pairs_candidate_a")
        ),
    )
    op.create_index(
        op.f("ix_duplicate_pairs_candidate_b"), "duplicate_pairs", ["candidate_b"], unique=False
    )
    op.create_index(
        "ix_duplicate_pairs_status_score", "duplicate_pairs", ["status", "score"], unique=False
    )
    op.create_table(
        "duplicate_keys",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_duplicate_keys_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_id", "key", name=op.f("pk_duplicate_keys")),
    )
    op.create_index(op.f("ix_duplicate_keys_key"), "duplicate_keys", ["key"], unique=False)
    op.create_table(
        "duplicate_checks",
        sa.Column("id", SEQ, autoincrement=True, nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_checks")),
    )
    op.create_index(
        op.f("ix_duplicate_checks_claimed_until"),
        "duplicate_checks",
        ["claimed_until"],
        unique=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION tb_duplicate_check() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO duplicate_checks (candidate_id) VALUES (NEW.id);
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER tb_candidates_duplicate_check AFTER INSERT OR UPDATE OF {COMPARED} "
            "ON candidates FOR EACH ROW EXECUTE FUNCTION tb_duplicate_check()"
        )
    else:
        for name, event in (("insert", "INSERT"), ("update", f"UPDATE OF {COMPARED}")):
            op.execute(
                f"CREATE TRIGGER tb_candidates_duplicate_{name} AFTER {event} ON candidates "
                "BEGIN INSERT INTO duplicate_checks (candidate_id) VALUES (NEW.id); END"
            )
    op.execute("INSERT INTO duplicate_checks (candidate_id) SELECT id FROM candidates")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tb_candidates_duplicate_check ON candidates")
        op.execute("DROP FUNCTION IF EXISTS tb_duplicate_check()")
    else:
        for name in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS tb_candidates_duplicate_{name}")
    op.drop_index(op.f("ix_duplicate_checks_claimed_until"), table_name="duplicate_checks")
    op.drop_table("duplicate_checks")
    op.drop_index(op.f("ix_duplicate_keys_key"), table_name="duplicate_keys")
    op.drop_table("duplicate_keys")
    op.drop_index("ix_duplicate_pairs_status_score", table_name="duplicate_pairs")
    op.drop_index(op.f("ix_duplicate_pairs_candidate_b"), table_name="duplicate_pairs")
    op.drop_table("duplicate_pairs")
