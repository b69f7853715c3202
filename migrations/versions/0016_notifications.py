"""notifications: the outbox of events, reads, email preferences, webhooks, deliveries

Revision ID: 0016
Revises: 0008
Create Date: 2026-12-07 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", SEQ, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", AT, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("dispatched_at", AT, nullable=True),
        _fk("outbox_events", "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(op.f("ix_outbox_events_organisation_id"), "outbox_events", ["organisation_id"])
    op.create_index("ix_outbox_events_dispatched_at", "outbox_events", ["dispatched_at"])
    op.create_table(
        "notification_reads",
        sa.Column("event_id", SEQ, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", AT, nullable=False),
        _fk("notification_reads", "event_id", "outbox_events"),
        _fk("notification_reads", "user_id", "users"),
        sa.PrimaryKeyConstraint("event_id", "user_id", name=op.f("pk_notification_reads")),
    )
    op.create_index(op.f("ix_notification_reads_user_id"), "notification_reads", ["user_id"])
    op.create_table(
        "email_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("unsubscribed", sa.JSON(), nullable=False),
        _fk("email_preferences", "user_id", "users"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_email_preferences")),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        _fk("webhooks", "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index(op.f("ix_webhooks_organisation_id"), "webhooks", ["organisation_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", SEQ, autoincrement=True, nullable=False),
        sa.Column("event_id", SEQ, nullable=False),
        sa.Column("receiver", sa.String(length=40), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("next_attempt_at", AT, nullable=False),
        _fk("deliveries", "event_id", "outbox_events"),
        _fk("deliveries", "webhook_id", "webhooks"),
        _fk("deliveries", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("event_id", "receiver", name="uq_deliveries_event_id_receiver"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_deliveries_webhook_id"), "deliveries", ["webhook_id"])
    op.create_index(op.f("ix_deliveries_user_id"), "deliveries", ["user_id"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", SEQ, autoincrement=True, nullable=False),
        sa.Column("delivery_id", SEQ, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("at", AT, nullable=False),
        _fk("delivery_attempts", "delivery_id", "deliveries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempts")),
    )
    op.create_index(op.f("ix_delivery_attempts_delivery_id"), "delivery_attempts", ["delivery_id"])


def downgrade() -> None:
    for name in (
        "delivery_attempts",
        "deliveries",
        "webhooks",
        "email_preferences",
        "notification_reads",
        "outbox_events",
    ):
        op.drop_table(name)
