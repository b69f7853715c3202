"""new matches and the daily digest: match_checks (filled by triggers on candidates and
vacancies), vacancy_match_notices, and email_preferences.mode, last_digest_at, next_digest_at

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)
WATCHED = {"candidates": "candidate", "vacancies": "vacancy"}


def upgrade() -> None:
    op.create_table(
        "match_checks",
        sa.Column("id", SEQ, autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_checks")),
    )
    op.create_table(
        "vacancy_match_notices",
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("candidate_ids", sa.JSON(), nullable=True),
        sa.Column("due_since", AT, nullable=True),
        sa.Column("checked_at", AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["vacancies.id"],
            name=op.f("fk_vacancy_match_notices_vacancy_id_vacancies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vacancy_id", name=op.f("pk_vacancy_match_notices")),
    )
    op.create_index("ix_vacancy_match_notices_due_since", "vacancy_match_notices", ["due_since"])
    with op.batch_alter_table("email_preferences") as batch:
        batch.add_column(
            sa.Column("mode", sa.String(length=8), server_default="each", nullable=False)
        )
        batch.add_column(sa.Column("last_digest_at", AT, nullable=True))
        batch.add_column(sa.Column("next_digest_at", AT, nullable=True))
    op.create_index(
        "ix_email_preferences_digest_due", "email_preferences", ["mode", "next_digest_at"]
    )
    # Every write of a candidate or vacancy, whatever the path (bulk COPY included), queues
    # a look for new matches; the notification worker takes and deletes them.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION tb_match_check() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO match_checks (entity, record_id) VALUES (TG_ARGV[0], NEW.id);
                RETURN NULL;
            END $$
            """
        )
        for table, entity in WATCHED.items():
            op.execute(
                f"CREATE TRIGGER tb_{table}_match_check AFTER INSERT OR UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION tb_match_check('{entity}')"
            )
    else:
        for table, entity in WATCHED.items():
            for event in ("INSERT", "UPDATE"):
                op.execute(
                    f"CREATE TRIGGER tb_{table}_match_check_{event.lower()} AFTER {event} "
                    f"ON {table} BEGIN INSERT INTO match_checks (entity, record_id) "
                    f"VALUES ('{entity}', NEW.id); END"
                )
    # The open vacancies of today: their first look records their top candidates without
    # telling anyone (those are not new), so the upgrade sends no burst of notices.
    op.execute(
        "INSERT INTO vacancy_match_notices (vacancy_id, candidate_ids, due_since) "
        "SELECT id, NULL, CURRENT_TIMESTAMP FROM vacancies "
        "WHERE status = 'open' AND placed_count < openings"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS tb_{table}_match_check ON {table}")
        op.execute("DROP FUNCTION IF EXISTS tb_match_check()")
    else:
        for table in WATCHED:
            for event in ("insert", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS tb_{table}_match_check_{event}")
    op.drop_index("ix_email_preferences_digest_due", table_name="email_preferences")
    with op.batch_alter_table("email_preferences") as batch:
        batch.drop_column("next_digest_at")
        batch.drop_column("last_digest_at")
        batch.drop_column("mode")
    op.drop_index("ix_vacancy_match_notices_due_since", table_name="vacancy_match_notices")
    op.drop_table("vacancy_match_notices")
    op.drop_table("match_checks")
