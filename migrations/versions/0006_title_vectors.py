"""title vectors: one embedding per distinct title and model (fielded matching signals);
the next best occupations of each record's title

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "title_vectors",
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("model", "digest", name=op.f("pk_title_vectors")),
    )
    # Plain ADD COLUMN (no table rebuild on SQLite, so the change-feed triggers stay).
    for table in ("candidates", "vacancies"):
        op.add_column(table, sa.Column("occupation_alternatives", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ("candidates", "vacancies"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("occupation_alternatives")
    op.drop_table("title_vectors")
