"""candidate list index: an institute's candidates, newest first, one page at a time
(/app/candidates at 100,000 candidates)

Revision ID: 0014
Revises: 0007, 0008
Create Date: 2026-12-07 01:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
# The institute branch carries both 0007 (ingest) and 0008 (accounts): this joins them.
# At merge, re-chain it like the others (down_revision = the previous one).
down_revision: str | Sequence[str] | None = ("0007", "0008")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.create_index("ix_candidates_institute_id_id", ["institute_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.drop_index("ix_candidates_institute_id_id")
