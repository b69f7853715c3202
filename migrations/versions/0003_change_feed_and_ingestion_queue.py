"""change feed, bulk-upload jobs and the embedding queue

`changes` gets a row from database triggers on every insert, update and delete of a
candidate or vacancy, and for a candidate whenever one of their placements is created or
changes stage (being placed closes the "not placed" gate), so match indexes in every
process follow the database by reading rows past their last seq. `jobs` and
`embedding_tasks` take embedding and occupation normalisation off the request path.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# (table, entity, the id column of the record that changed)
FEEDS = (
    ("candidates", "candidate", "id"),
    ("vacancies", "vacancy", "id"),
    ("placements", "candidate", "candidate_id"),
)


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_changes_at"), "changes", ["at"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_jobs_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_organisation_id"), "jobs", ["organisation_id"], unique=False)
    op.create_table(
        "embedding_tasks",
        sa.Column("id", SEQ, autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_embedding_tasks_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embedding_tasks")),
    )
    op.create_index(
        op.f("ix_embedding_tasks_claimed_until"), "embedding_tasks", ["claimed_until"], unique=False
    )
    op.create_index(op.f("ix_embedding_tasks_job_id"), "embedding_tasks", ["job_id"], unique=False)
    op.create_index("ix_embedding_tasks_record", "embedding_tasks", ["entity", "record_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION tb_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            rec_id integer;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                EXECUTE format('SELECT ($1).%I', TG_ARGV[1]) INTO rec_id USING OLD;
            ELSE
                EXECUTE format('SELECT ($1).%I', TG_ARGV[1]) INTO rec_id USING NEW;
            END IF;
            IF rec_id IS NOT NULL THEN
                INSERT INTO changes (entity, record_id, deleted)
                VALUES (TG_ARGV[0], rec_id, TG_OP = 'DELETE' AND TG_ARGV[1] = 'id');
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for table, entity, column in FEEDS:
        events = (
            "INSERT OR UPDATE OF status" if table == "placements" else "INSERT OR UPDATE OR DELETE"
        )
        op.execute(
            f"CREATE TRIGGER tb_{table}_change AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION tb_record_change('{entity}', '{column}')"
        )


def _sqlite_triggers() -> None:
    for table, entity, column in FEEDS:
        operations = (
            ("INSERT", "UPDATE OF status")
            if table == "placements"
            else ("INSERT", "UPDATE", "DELETE")
        )
        for operation in operations:
            row = "OLD" if operation == "DELETE" else "NEW"
            deleted = 1 if operation == "DELETE" else 0
            name = operation.split()[0].lower()
            op.execute(
                f"CREATE TRIGGER tb_{table}_{name} AFTER {operation} ON {table} "
                f"WHEN {row}.{column} IS NOT NULL BEGIN "
                f"INSERT INTO changes (entity, record_id, deleted, at) "
                f"VALUES ('{entity}', {row}.{column}, {deleted}, CURRENT_TIMESTAMP); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _, _ in FEEDS:
            op.execute(f"DROP TRIGGER IF EXISTS tb_{table}_change ON {table}")
        op.execute("DROP FUNCTION IF EXISTS tb_record_change()")
    else:
        for table, _, _ in FEEDS:
            for name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS tb_{table}_{name}")
    op.drop_index("ix_embedding_tasks_record", table_name="embedding_tasks")
    op.drop_index(op.f("ix_embedding_tasks_job_id"), table_name="embedding_tasks")
    op.drop_index(op.f("ix_embedding_tasks_claimed_until"), table_name="embedding_tasks")
    op.drop_table("embedding_tasks")
    op.drop_index(op.f("ix_jobs_organisation_id"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_index(op.f("ix_changes_at"), table_name="changes")
    op.drop_table("changes")
