"""The outbox of events, who read them, webhooks, and each delivery with its attempts."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.accounts import models as _accounts  # noqa: F401 (a foreign key's table)
from talentbridge.db import SEQ, Base, utcnow
from talentbridge.organisations import models as _organisations  # noqa: F401 (a foreign key's table)


class OutboxEvent(Base):
    """Something an organisation is told about, written in the transaction of the change.

    `data` holds ids, stages and counts, never a name or a birth date.
    """

    __tablename__ = "outbox_events"
    # The workers look for events not yet fanned out to their receivers.
    __table_args__ = (Index("ix_outbox_events_dispatched_at", "dispatched_at"),)

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dispatched_at: Mapped[datetime | None]


class NotificationRead(Base):
    """A person has read an event (in-app notifications are read per person)."""

    __tablename__ = "notification_reads"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailPreference(Base):
    """A person's language for email and the kinds they unsubscribed from."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str | None] = mapped_column(String(8))
    unsubscribed: Mapped[list[str]] = mapped_column(default=list)


class Webhook(Base):
    """An organisation's receiver of events of the kinds listed."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(default=list)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One event to one receiver (`webhook:<id>` or `email:<user id>`): the idempotency id."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "receiver", name="uq_deliveries_event_id_receiver"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"))
    receiver: Mapped[str] = mapped_column(String(40))
    webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")  # delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryAttempt(Base):
    """One try of a delivery: the receiver's status code, or the error."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(default=utcnow)
