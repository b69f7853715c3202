"""allocation plans and their proposed assignments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allocation_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("sector", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=64), nullable=True),
        sa.Column("prefecture", sa.String(length=32), nullable=True),
        sa.Column("top_k", sa.Integer(), nullable=False),
        sa.Column("openings", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.Column("greedy_filled", sa.Integer(), nullable=False),
        sa.Column("total_score", sa.Float(), nullable=False),
        sa.Column("greedy_total_score", sa.Float(), nullable=False),
        sa.Column("unfilled", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_allocation_plans_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_plans")),
    )
    with op.batch_alter_table("allocation_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allocation_plans_created_at"), ["created_at"], unique=False
        )
    op.create_table(
        "allocation_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_allocation_assignments_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["allocation_plans.id"],
            name=op.f("fk_allocation_assignments_plan_id_allocation_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["vacancies.id"],
            name=op.f("fk_allocation_assignments_vacancy_id_vacancies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_assignments")),
    )
    with op.batch_alter_table("allocation_assignments", schema=None) as batch_op:
        for column in ("plan_id", "vacancy_id", "candidate_id"):
            batch_op.create_index(
                batch_op.f(f"ix_allocation_assignments_{column}"), [column], unique=False
            )


def downgrade() -> None:
    op.drop_table("allocation_assignments")
    op.drop_table("allocation_plans")
