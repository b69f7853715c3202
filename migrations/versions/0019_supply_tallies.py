"""supply tallies for the demand report

`supply_tallies` counts unplaced candidates by institute (and the whole programme),
sector and fact (a skill, a Japanese level reached, a test passed, an occupation's
SSW baseline met); `supply_records` holds what each candidate is counted as; triggers on
candidates and placements write `supply_changes` rows that the report folds in before it
reads (reports/supply.py). Every existing candidate is written as a change, so the first
report (or `talentbridge recount`) counts them. An index on the birth date finds the
people under 18 today, whom the report takes out of the occupations' eligible counts.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# What a candidate is counted by; the background worker sets occupation_uri.
COUNTED = (
    "institute_id, sector, state, skills, japanese_level, jft_basic_passed, "
    "skill_test_passed, care_language_test_passed, occupation_uri"
)
PG_FUNCTION = """
CREATE FUNCTION tb_supply_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'candidates' THEN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO supply_changes (candidate_id) VALUES (OLD.id);
        ELSE
            INSERT INTO supply_changes (candidate_id) VALUES (NEW.id);
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' AND OLD.candidate_id IS NOT NULL THEN
            INSERT INTO supply_changes (candidate_id) VALUES (OLD.candidate_id);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.candidate_id IS NOT NULL THEN
            INSERT INTO supply_changes (candidate_id) VALUES (NEW.candidate_id);
        END IF;
    END IF;
    RETURN NULL;
END $$
"""
# SQLite: (name, event, table, the ids written)
SQLITE_TRIGGERS = (
    ("candidates_insert", "INSERT", "candidates", ("NEW.id",)),
    ("candidates_update", f"UPDATE OF {COUNTED}", "candidates", ("NEW.id",)),
    ("candidates_delete", "DELETE", "candidates", ("OLD.id",)),
    ("placements_insert", "INSERT", "placements", ("NEW.candidate_id",)),
    (
        "placements_update",
        "UPDATE OF status, candidate_id",
        "placements",
        ("OLD.candidate_id", "NEW.candidate_id"),
    ),
    ("placements_delete", "DELETE", "placements", ("OLD.candidate_id",)),
)


def upgrade() -> None:
    op.create_table(
        "supply_tallies",
        sa.Column("institute_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sector", sa.String(length=16), nullable=False),
        sa.Column("fact", sa.String(length=400), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("institute_id", "sector", "fact", name=op.f("pk_supply_tallies")),
    )
    op.create_table(
        "supply_records",
        sa.Column("candidate_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("institute_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_supply_records")),
    )
    op.create_index("ix_supply_records_state", "supply_records", ["state", "institute_id"])
    op.create_table(
        "supply_changes",
        sa.Column("id", SEQ, autoincrement=True, nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_candidates_date_of_birth"), "candidates", ["date_of_birth"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            f"CREATE TRIGGER tb_candidates_supply AFTER INSERT OR DELETE OR UPDATE OF {COUNTED} "
            "ON candidates FOR EACH ROW EXECUTE FUNCTION tb_supply_change()"
        )
        op.execute(
            "CREATE TRIGGER tb_placements_supply AFTER INSERT OR DELETE OR UPDATE OF status, "
            "candidate_id ON placements FOR EACH ROW EXECUTE FUNCTION tb_supply_change()"
        )
    else:
        for name, event, table, ids in SQLITE_TRIGGERS:
            writes = " ".join(
                f"INSERT INTO supply_changes (candidate_id) SELECT {i} WHERE {i} IS NOT NULL;"
                for i in ids
            )
            op.execute(
                f"CREATE TRIGGER tb_supply_{name} AFTER {event} ON {table} BEGIN {writes} END"
            )
    op.execute("INSERT INTO supply_changes (candidate_id) SELECT id FROM candidates")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tb_candidates_supply ON candidates")
        op.execute("DROP TRIGGER IF EXISTS tb_placements_supply ON placements")
        op.execute("DROP FUNCTION IF EXISTS tb_supply_change()")
    else:
        for name, *_ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS tb_supply_{name}")
    op.drop_index(op.f("ix_candidates_date_of_birth"), table_name="candidates")
    op.drop_table("supply_changes")
    op.drop_index("ix_supply_records_state", table_name="supply_records")
    op.drop_table("supply_records")
    op.drop_table("supply_tallies")
