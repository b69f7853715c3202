"""In-app notifications: an organisation's events, read or not by each of its people."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from talentbridge.errors import NotFound
from talentbridge.notifications.events import KINDS
from talentbridge.notifications.models import EmailPreference, NotificationRead, OutboxEvent


@dataclass(frozen=True)
class Notification:
    event: OutboxEvent
    read: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.event.id,
            "kind": self.event.kind,
            "occurred_at": self.event.occurred_at,
            "read": self.read,
            "data": self.event.data,
        }


def listing(
    *, session: Session, organisation_id: int, user_id: int | None, limit: int = 50
) -> list[Notification]:
    """The newest events of the organisation, read or not by this person (None: not signed in,
    so nothing counts as read)."""
    read = (
        select(NotificationRead.event_id)
        .where(NotificationRead.event_id == OutboxEvent.id, NotificationRead.user_id == user_id)
        .exists()
    )
    rows = session.execute(
        select(OutboxEvent, read)
        .where(OutboxEvent.organisation_id == organisation_id)
        .order_by(OutboxEvent.id.desc())
        .limit(limit)
    ).all()
    return [Notification(event, bool(was_read)) for event, was_read in rows]


def unread_count(*, session: Session, organisation_id: int, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .outerjoin(
                NotificationRead,
                and_(
                    NotificationRead.event_id == OutboxEvent.id,
                    NotificationRead.user_id == user_id,
                ),
            )
            .where(
                OutboxEvent.organisation_id == organisation_id,
                NotificationRead.event_id.is_(None),
            )
        )
        or 0
    )


def mark_read(*, session: Session, event_id: int, organisation_id: int, user_id: int) -> None:
    """This person has read the event (again is fine); another organisation's is NotFound."""
    event = session.get(OutboxEvent, event_id)
    if event is None or event.organisation_id != organisation_id:
        raise NotFound(f"notification {event_id} not found")
    if session.get(NotificationRead, (event_id, user_id)) is None:
        session.add(NotificationRead(event_id=event_id, user_id=user_id))
        session.flush()


def unsubscribe(*, session: Session, user_id: int, kind: str) -> None:
    """No more email about events of this kind for this person (in-app notifications stay)."""
    if kind not in KINDS:
        raise NotFound(f"no kind of event called {kind}", field="kind")
    preference = session.get(EmailPreference, user_id)
    if preference is None:
        preference = EmailPreference(user_id=user_id, unsubscribed=[])
        session.add(preference)
    if kind not in preference.unsubscribed:
        preference.unsubscribed = [*preference.unsubscribed, kind]
    session.flush()
