"""The daily digest: one email a day to each person who chose it, listing what they have not read.

A person's `email_preferences.mode` is `each` (one message per event, the default) or
`digest`. For a digest person the fan-out makes no email deliveries; instead, once their
`next_digest_at` has passed, the worker claims the preference row (`FOR UPDATE SKIP LOCKED`
on PostgreSQL) and pushes `next_digest_at` a lease ahead, lists the organisation's events
since `last_digest_at` that the person has not read in-app (nor unsubscribed from), sends
one message outside any transaction, and records it: `last_digest_at` moves to the claim's
time and the next digest is due a day later. A failed send is tried again later with the
same window, so no event is skipped; a day with nothing unread sends nothing.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from talentbridge.accounts.models import User
from talentbridge.notifications import mail
from talentbridge.notifications.models import (
    EMAIL_MODES,
    EmailPreference,
    NotificationRead,
    OutboxEvent,
)

EVERY = timedelta(days=1)
LEASE = timedelta(seconds=120)
RETRY = timedelta(minutes=10)


@dataclass
class DigestJob:
    user_id: int
    email: str
    language: str
    until: datetime  # the window's end: the next digest starts there
    total: int
    events: list[dict[str, Any]] = field(default_factory=list)


def aware(moment: datetime) -> datetime:
    """SQLite gives stored times back without their zone; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def gets_digest(mode: str | None, last_digest_at: datetime | None, occurred_at: datetime) -> bool:
    """Whether an event reaches this person in a digest rather than in its own message."""
    if mode != "digest":
        return False
    return last_digest_at is None or aware(occurred_at) >= aware(last_digest_at)


def choose(
    *, session: Session, user_id: int, language: str, mode: str, now: datetime
) -> EmailPreference:
    """A person's email language and mode; choosing the digest starts its first day now."""
    if language not in mail.LANGUAGES:
        raise ValueError("language")
    if mode not in EMAIL_MODES:
        raise ValueError("mode")
    preference = session.get(EmailPreference, user_id)
    if preference is None:
        preference = EmailPreference(user_id=user_id, unsubscribed=[], mode="each")
        session.add(preference)
    if mode == "digest" and preference.mode != "digest":
        preference.last_digest_at = now
        preference.next_digest_at = now + EVERY
    elif mode == "each":
        preference.next_digest_at = None
    preference.language = language
    preference.mode = mode
    session.flush()
    return preference


def claim(session: Session, now: datetime, limit: int) -> list[DigestJob]:
    """The digests due now, each leased; those with nothing unread are recorded as sent."""
    due = list(
        session.scalars(
            select(EmailPreference)
            .join(User, User.id == EmailPreference.user_id)
            .where(
                EmailPreference.mode == "digest",
                EmailPreference.next_digest_at <= now,
                User.active.is_(True),
            )
            .order_by(EmailPreference.next_digest_at, EmailPreference.user_id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=EmailPreference)
        )
    )
    jobs = []
    for preference in due:
        person = session.get_one(User, preference.user_id)
        since = preference.last_digest_at or now - EVERY
        unread = list(
            session.scalars(
                select(OutboxEvent)
                .outerjoin(
                    NotificationRead,
                    and_(
                        NotificationRead.event_id == OutboxEvent.id,
                        NotificationRead.user_id == person.id,
                    ),
                )
                .where(
                    OutboxEvent.organisation_id == person.organisation_id,
                    OutboxEvent.occurred_at > since,
                    OutboxEvent.occurred_at <= now,
                    NotificationRead.event_id.is_(None),
                )
                .order_by(OutboxEvent.id)
            )
        )
        unread = [e for e in unread if e.kind not in (preference.unsubscribed or [])]
        if not unread:
            preference.last_digest_at, preference.next_digest_at = now, now + EVERY
            continue
        preference.next_digest_at = now + LEASE
        jobs.append(
            DigestJob(
                user_id=person.id,
                email=person.email,
                language=mail.language_of(person, preference),
                until=now,
                total=len(unread),
                events=[{"kind": e.kind, "data": e.data} for e in unread[: mail.DIGEST_LINES]],
            )
        )
    return jobs


def record(session: Session, job: DigestJob, sent: bool, now: datetime) -> None:
    preference = session.get(EmailPreference, job.user_id)
    if preference is None or preference.mode != "digest":
        return  # the person left, or chose one message per event meanwhile
    if sent:
        preference.last_digest_at = job.until
        preference.next_digest_at = job.until + EVERY
    else:
        preference.next_digest_at = now + RETRY
