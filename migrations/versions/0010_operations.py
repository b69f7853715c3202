"""operations: when each embedding task was queued (the queue's age on /metrics and /health)

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite cannot ADD COLUMN with CURRENT_TIMESTAMP as its default: the table (no triggers,
    # a queue) is rebuilt there; PostgreSQL adds the column in place. Rows queued before the
    # upgrade get the time of the upgrade.
    column = sa.Column(
        "queued_at",
        sa.DateTime(timezone=True),
        server_default=sa.func.current_timestamp(),
        nullable=True,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("embedding_tasks", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("embedding_tasks") as batch:
        batch.drop_column("queued_at")
