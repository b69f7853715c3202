"""candidate list indexes: an institute's candidates, newest first, one page at a time, and
(PostgreSQL) trigram indexes for "any part of the name" and "the start of the external_id"
(/app/candidates at 100,000 candidates; without them a search reads the whole table)

Revision ID: 0014
Revises: 0007, 0008
Create Date: 2026-12-07 01:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
# The institute branch carries both 0007 (ingest) and 0008 (accounts): this joins them.
# At merge, re-chain it like the others (down_revision = the previous one).
down_revision: str | tuple[str, ...] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Trigram indexes (pg_trgm, GIN) serve ILIKE '%text%' and 'text%' on PostgreSQL; on
# SQLite the same names are plain indexes (an embedded institute's list is small).
TRIGRAM = {
    "ix_candidates_full_name_trgm": "full_name",
    "ix_candidates_external_id_trgm": "external_id",
}


def upgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.create_index("ix_candidates_institute_id_id", ["institute_id", "id"])
        batch.create_index(
            "ix_candidates_list_filters", ["institute_id", "consent_to_share", "sector", "id"]
        )
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may
        # create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM.items():
        op.create_index(
            name,
            "candidates",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    for name in TRIGRAM:
        op.drop_index(name, table_name="candidates")  # the extension stays: others may use it
    with op.batch_alter_table("candidates") as batch:
        batch.drop_index("ix_candidates_list_filters")
        batch.drop_index("ix_candidates_institute_id_id")
