"""failed upload rows: every row of a bulk upload that was not stored, as it was sent, with
its errors, kept with its job (GET /api/v1/jobs/{id}/failed-rows.csv)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "failed_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_failed_rows_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_rows")),
    )
    op.create_index(op.f("ix_failed_rows_job_id"), "failed_rows", ["job_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_failed_rows_job_id"), table_name="failed_rows")
    op.drop_table("failed_rows")
