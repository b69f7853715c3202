"""Old outbox rows go on a schedule: an event whose every delivery is finished (delivered
or failed) is deleted `OUTBOX_RETENTION_DAYS` after it happened, with its deliveries, their
attempts and who read it. Until then it stays readable in-app and in the deliveries list.

An event not yet fanned out, or with a delivery still pending (being retried), stays
whatever its age: pruning never takes away work a worker has still to do.
"""

from datetime import datetime, timedelta

from sqlalchemy import Delete, delete, select
from sqlalchemy.orm import Session

from talentbridge import maintenance
from talentbridge.config import Settings
from talentbridge.notifications.models import (
    Delivery,
    DeliveryAttempt,
    NotificationRead,
    OutboxEvent,
)

CHUNK = 500  # ids per DELETE ... IN (...)


def finished_before(session: Session, cutoff: datetime) -> list[int]:
    """Ids of events older than `cutoff`, fanned out, none of whose deliveries is pending."""
    pending = (
        select(Delivery.id)
        .where(Delivery.event_id == OutboxEvent.id, Delivery.status == "pending")
        .exists()
    )
    return list(
        session.scalars(
            select(OutboxEvent.id).where(
                OutboxEvent.occurred_at < cutoff,
                OutboxEvent.dispatched_at.is_not(None),
                ~pending,
            )
        )
    )


def _deleted(session: Session, statement: Delete) -> int:
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


@maintenance.task("outbox")
def forget_finished_events(session: Session, settings: Settings, now: datetime) -> int:
    """Delete finished events past the retention and everything hanging off them; the
    rows deleted in all four tables. Deleting children first needs no ON DELETE CASCADE."""
    ids = finished_before(session, now - timedelta(days=settings.outbox_retention_days))
    total = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        deliveries = select(Delivery.id).where(Delivery.event_id.in_(chunk))
        total += _deleted(
            session, delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(deliveries))
        )
        total += _deleted(session, delete(Delivery).where(Delivery.event_id.in_(chunk)))
        total += _deleted(
            session, delete(NotificationRead).where(NotificationRead.event_id.in_(chunk))
        )
        total += _deleted(session, delete(OutboxEvent).where(OutboxEvent.id.in_(chunk)))
    return total
