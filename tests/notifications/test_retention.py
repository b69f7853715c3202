"""Old outbox rows pruned on the schedule: an event whose deliveries are all finished goes
after the retention with its deliveries, attempts and reads; pending, undispatched or
recent ones stay."""

from datetime import timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from talentbridge.config import Settings
from talentbridge.db import utcnow
from talentbridge.notifications.models import (
    Delivery,
    DeliveryAttempt,
    NotificationRead,
    OutboxEvent,
)
from talentbridge.ops import prune
from tests.conftest import Database
from tests.notifications.conftest import AppMaker, Receiver
from tests.notifications.test_webhooks import _key, _shortlist, _worker
from tests.web.conftest import make_member


def _events_of(session: Session, organisation_id: int) -> list[int]:
    return list(
        session.scalars(
            select(OutboxEvent.id)
            .where(OutboxEvent.organisation_id == organisation_id)
            .order_by(OutboxEvent.id)
        )
    )


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_finished_events_past_the_retention_go_and_the_rest_stay(
    make_client: AppMaker, receiver: Receiver, own_database: Database
) -> None:
    http = make_client(webhook_allow_private=True)
    employer = make_member(http, "employer")
    hook = http.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["placement.stage_changed"]},
        headers=_key(employer),
    ).json()
    normal = _worker(own_database, webhook_allow_private=True)
    _shortlist(http, employer)  # 1: delivered
    normal.run_once()
    _shortlist(http, employer)  # 2: answered 500, so pending (being retried)
    receiver.answers = [500]
    normal.run_once()
    _shortlist(http, employer)  # 3: answered 500 past its retry time, so failed
    receiver.answers = [500]
    _worker(own_database, webhook_allow_private=True, webhook_retry_hours=0.001).run_once()
    _shortlist(http, employer)  # 4: delivered, and recent
    normal.run_once()

    engine = own_database.engine
    with Session(engine) as session, session.begin():
        delivered, pending, failed, recent = _events_of(session, employer.organisation_id)
        statuses = dict(session.execute(select(Delivery.event_id, Delivery.status)).all())
        assert [statuses[e] for e in (delivered, pending, failed, recent)] == [
            "delivered", "pending", "failed", "delivered"
        ]  # fmt: skip
        session.add(NotificationRead(event_id=delivered, user_id=employer.user_id))
        session.add(NotificationRead(event_id=recent, user_id=employer.user_id))
        never_sent = session.scalar(  # no worker has fanned it out yet
            insert(OutboxEvent)
            .values(kind="upload.finished", organisation_id=employer.organisation_id, data={})
            .returning(OutboxEvent.id)
        )
        old = utcnow() - timedelta(days=31)
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([delivered, pending, failed, never_sent]))
            .values(occurred_at=old)
        )
        before = {m: _count(session, m) for m in (Delivery, DeliveryAttempt, NotificationRead)}

    deleted = prune.run(sessionmaker(bind=engine), Settings(outbox_retention_days=30))

    # delivered and failed: event, delivery, attempt each; the read of the delivered one
    assert deleted["outbox"] == 2 * 3 + 1
    with Session(engine) as session:
        assert _events_of(session, employer.organisation_id) == [pending, recent, never_sent]
        assert {m: _count(session, m) for m in before} == {
            Delivery: before[Delivery] - 2,
            DeliveryAttempt: before[DeliveryAttempt] - 2,
            NotificationRead: before[NotificationRead] - 1,
        }
    listed = http.get("/api/v1/notifications", headers=_key(employer)).json()["items"]
    assert [n["id"] for n in listed] == [never_sent, recent, pending]
    tries = http.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=_key(employer))
    assert {t["event_id"] for t in tries.json()} == {pending, recent}

    # Nothing left past the retention that may go: a second run finds nothing.
    assert prune.run(sessionmaker(bind=engine), Settings(outbox_retention_days=30))["outbox"] == 0
