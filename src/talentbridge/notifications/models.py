"""The outbox of events, who read them, webhooks, and each delivery with its attempts."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.accounts import models as _accounts  # noqa: F401 (a foreign key's table)
from talentbridge.db import SEQ, Base, utcnow
from talentbridge.organisations import models as _organisations  # noqa: F401 (a foreign key's table)
from talentbridge.vacancies import models as _vacancies  # noqa: F401 (a foreign key's table)

EMAIL_MODES = ("each", "digest")  # one message per event, or one a day listing the unread


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
    """A person's language for email, the kinds they unsubscribed from, and whether they get
    one message per event or a daily digest (then when the last was sent and the next is due).
    """

    __tablename__ = "email_preferences"
    __table_args__ = (Index("ix_email_preferences_digest_due", "mode", "next_digest_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str | None] = mapped_column(String(8))
    unsubscribed: Mapped[list[str]] = mapped_column(default=list)
    mode: Mapped[str] = mapped_column(String(8), default="each", server_default="each")
    # the digest covers events after last_digest_at; next_digest_at is also a send's lease
    last_digest_at: Mapped[datetime | None]
    next_digest_at: Mapped[datetime | None]


class MatchCheck(Base):
    """A candidate or vacancy written since the last look for new matches. Database triggers
    add one per insert and update (migration 0018), whatever the path; the notification
    worker's new-matches step takes them and deletes them."""

    __tablename__ = "match_checks"

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))  # candidate, vacancy
    record_id: Mapped[int] = mapped_column(Integer)


class VacancyMatchNotice(Base):
    """What a vacancy's employer was last told of its top candidates, and whether a change
    since (a candidate of its sector, or the vacancy itself) asks for a new look."""

    __tablename__ = "vacancy_match_notices"
    __table_args__ = (Index("ix_vacancy_match_notices_due_since", "due_since"),)

    vacancy_id: Mapped[int] = mapped_column(
        ForeignKey("vacancies.id", ondelete="CASCADE"), primary_key=True
    )
    # the eligible, visible top candidates at the last look; None: never looked (a vacancy
    # older than the migration, whose first look only records them)
    candidate_ids: Mapped[list[int] | None] = mapped_column(JSON)
    due_since: Mapped[datetime | None]
    checked_at: Mapped[datetime | None]


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
