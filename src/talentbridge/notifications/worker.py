"""Delivery of the outbox, in the background workers and never in a request.

Each round first runs the worker's `steps` (the application's: new matches, which writes
events), then two steps, each claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL so any number
of workers never take the same row (SQLite has one writer at a time anyway):
1. fan out: each new event gets one delivery row per receiver (`webhook:<id>`,
   `email:<person>`); the row's unique (event, receiver) is the idempotency id the receiver
   sees in `X-TalentBridge-Delivery`;
2. deliver: due rows are claimed by pushing their next attempt a lease ahead, then sent
   outside any transaction, `notify_senders` at a time; each attempt is recorded, a
   failure retried with exponential backoff until `webhook_retry_hours` after the event.
   A worker killed mid-send leaves its claimed rows to be taken again when the lease
   (`notify_lease_seconds`) runs out: a delivery is recorded once, but may reach its
   receiver twice (at least once on the wire; the receiver de-duplicates by the id).
Then the daily digests that are due (notifications.digest), claimed the same way.
"""

import hashlib
import hmac
import json
import logging
import smtplib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from talentbridge.accounts.models import User
from talentbridge.config import Settings
from talentbridge.db import unit_of_work, utcnow
from talentbridge.notifications import digest, mail
from talentbridge.notifications.models import (
    Delivery,
    DeliveryAttempt,
    EmailPreference,
    OutboxEvent,
    Webhook,
)
from talentbridge.notifications.webhooks import destination

logger = logging.getLogger("talentbridge.notifications")

SIGNATURE_HEADER = "X-TalentBridge-Signature"
DELIVERY_HEADER = "X-TalentBridge-Delivery"
FIRST_RETRY_SECONDS = 30.0  # then 60, 120, ... doubling
LONGEST_WAIT_SECONDS = 3600.0


def body_of(event: OutboxEvent) -> bytes:
    """The bytes a webhook receives (and the signature covers)."""
    return json.dumps(
        {
            "id": event.id,
            "kind": event.kind,
            "occurred_at": event.occurred_at.isoformat(),
            "organisation_id": event.organisation_id,
            "data": event.data,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_WAIT_SECONDS))


@dataclass
class _Job:
    delivery_id: int
    receiver: str
    attempt: int
    started: datetime  # the event's time: retries stop retry_hours after it
    body: bytes
    event: dict[str, Any]
    url: str = ""
    secret: str = ""
    email: str = ""
    language: str = "en"


class _Mailboxes:
    """The SMTP connections of one round, one per sender thread, all closed when the round
    ends (so none sits idle until the server drops it). One conversation per message cost
    a connection, and with STARTTLS a TLS handshake, for every email."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.open: dict[int, smtplib.SMTP] = {}
        self.lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        key = threading.get_ident()
        with self.lock:
            smtp = self.open.get(key)
        if smtp is None:
            smtp = mail.connect(self.settings)
            with self.lock:
                self.open[key] = smtp
        try:
            smtp.send_message(message)
        except OSError:  # smtplib's errors too: the next message gets a new connection
            with self.lock:
                self.open.pop(key, None)
            smtp.close()
            raise

    def close(self) -> None:
        with self.lock:
            connections, self.open = list(self.open.values()), {}
        for smtp in connections:
            try:
                smtp.quit()
            except OSError:
                smtp.close()


class NotificationWorker:
    """Fans events out to their receivers and delivers them; `run` it in a thread."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        settings: Settings,
        batch_size: int = 50,
        steps: Sequence[Callable[[], object]] = (),
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.batch_size = batch_size
        self.steps = tuple(steps)
        # One client for every call: a new one per call builds a TLS context each time, which
        # cost about 130 ms a delivery on a busy machine (`talentbridge bench notifications`).
        self.http = httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False)

    # 1. fan out -------------------------------------------------------------------------
    def fan_out(self, now: datetime | None = None) -> int:
        now = now or utcnow()
        with unit_of_work(self.sessions) as session:
            found = list(
                session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.dispatched_at.is_(None))
                    .order_by(OutboxEvent.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            for event in found:
                for receiver, values in self._receivers(session, event):
                    session.add(
                        Delivery(
                            event_id=event.id, receiver=receiver, next_attempt_at=now, **values
                        )
                    )
                event.dispatched_at = now
        return len(found)

    def _receivers(self, session: Session, event: OutboxEvent) -> list[tuple[str, dict[str, int]]]:
        hooks = session.scalars(
            select(Webhook).where(Webhook.organisation_id == event.organisation_id)
        )
        out = [(f"webhook:{h.id}", {"webhook_id": h.id}) for h in hooks if event.kind in h.events]
        if self.settings.smtp_host:
            people = session.execute(
                select(
                    User.id,
                    EmailPreference.unsubscribed,
                    EmailPreference.mode,
                    EmailPreference.last_digest_at,
                )
                .outerjoin(EmailPreference, EmailPreference.user_id == User.id)
                .where(User.organisation_id == event.organisation_id, User.active.is_(True))
            ).all()
            out += [
                (f"email:{uid}", {"user_id": uid})
                for uid, unsubscribed, mode, last_digest_at in people
                if event.kind not in (unsubscribed or [])
                and not digest.gets_digest(mode, last_digest_at, event.occurred_at)
            ]
        return out

    # 2. deliver -------------------------------------------------------------------------
    def claim(self, now: datetime | None = None) -> list[_Job]:
        now = now or utcnow()
        jobs: list[_Job] = []
        with unit_of_work(self.sessions) as session:
            due = list(
                session.scalars(
                    select(Delivery)
                    .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                    .order_by(Delivery.next_attempt_at, Delivery.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            lease = timedelta(seconds=self.settings.notify_lease_seconds)
            for delivery in due:
                delivery.next_attempt_at = now + lease
                event = session.get_one(OutboxEvent, delivery.event_id)
                job = _Job(
                    delivery_id=delivery.id,
                    receiver=delivery.receiver,
                    attempt=delivery.attempts + 1,
                    started=event.occurred_at,
                    body=body_of(event),
                    event={"kind": event.kind, "data": event.data, "id": event.id},
                )
                if delivery.webhook_id is not None:
                    hook = session.get_one(Webhook, delivery.webhook_id)
                    job.url, job.secret = hook.url, hook.secret
                elif delivery.user_id is not None:
                    person = session.get_one(User, delivery.user_id)
                    preference = session.get(EmailPreference, person.id)
                    job.email = person.email
                    job.language = mail.language_of(person, preference)
                    job.event["user_id"] = person.id
                    job.event["organisation_kind"] = person.organisation.kind
                jobs.append(job)
        return jobs

    def send(self, job: _Job, mailboxes: _Mailboxes | None = None) -> tuple[int | None, str | None]:
        """(status code, error) of one try; a 2xx status code is success. Email goes through
        the round's connections when given, else a connection of its own."""
        if job.url:
            why, where = destination(job.url, allow_private=self.settings.webhook_allow_private)
            if where is None:  # the host may resolve elsewhere now than when it was registered
                return None, why
            headers = {
                **where.headers,
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature(job.secret, job.body),
                DELIVERY_HEADER: f"{job.event['id']}-{job.receiver}",
            }
            try:
                answer = self.http.post(
                    where.url, content=job.body, headers=headers, extensions=where.extensions
                )
            except httpx.HTTPError as exc:
                return None, f"{type(exc).__name__}: {exc}"[:300]
            return answer.status_code, None
        try:
            message = mail.compose(self.settings, job.email, job.language, job.event)
            message[DELIVERY_HEADER] = f"{job.event['id']}-{job.receiver}"  # as for webhooks
            if mailboxes is None:
                mail.send(self.settings, message)
            else:
                mailboxes.send(message)
        except (OSError, ValueError) as exc:
            return None, f"{type(exc).__name__}: {exc}"[:300]
        return 250, None

    def record(self, job: _Job, status_code: int | None, error: str | None) -> None:
        now = utcnow()
        with unit_of_work(self.sessions) as session:
            delivery = session.get(Delivery, job.delivery_id)
            if delivery is None:
                return  # its webhook was deleted meanwhile
            session.add(
                DeliveryAttempt(
                    delivery_id=delivery.id,
                    attempt=job.attempt,
                    status_code=status_code,
                    error=error,
                    at=now,
                )
            )
            delivery.attempts = job.attempt
            if status_code is not None and 200 <= status_code < 300:
                delivery.status = "delivered"
                return
            retry_at = now + backoff(job.attempt)
            started = job.started if job.started.tzinfo else job.started.replace(tzinfo=UTC)
            if retry_at > started + timedelta(hours=self.settings.webhook_retry_hours):
                delivery.status = "failed"
            else:
                delivery.next_attempt_at = retry_at

    # 3. digests ------------------------------------------------------------------------
    def digests(self, now: datetime | None = None) -> int:
        """Send the daily digests that are due; how many were tried."""
        if not self.settings.smtp_host:
            return 0
        now = now or utcnow()
        with unit_of_work(self.sessions) as session:
            jobs = digest.claim(session, now, self.batch_size)
        for job in jobs:
            message = mail.compose_digest(
                self.settings, job.email, job.language, job.events, job.total
            )
            try:
                mail.send(self.settings, message)
                sent = True
            except (OSError, ValueError):
                logger.exception("digest to person %s not sent; tried again later", job.user_id)
                sent = False
            with unit_of_work(self.sessions) as session:
                digest.record(session, job, sent, utcnow())
        return len(jobs)

    # the loop ---------------------------------------------------------------------------
    def run_once(self, now: datetime | None = None) -> int:
        """Run the steps, fan out new events, make one try of every due delivery and send
        the due digests; how many deliveries and digests were tried."""
        for step in self.steps:
            try:
                step()
            except Exception:  # one step failing leaves the deliveries going
                logger.exception("notification step %r failed; it runs again next round", step)
        self.fan_out(now)
        jobs = self.claim(now)
        mailboxes = _Mailboxes(self.settings)
        try:
            if len(jobs) <= 1 or self.settings.notify_senders == 1:
                for job in jobs:
                    self.record(job, *self.send(job, mailboxes))
            else:
                # Side by side: a slow receiver (up to its timeout) holds up one sender, not all.
                with ThreadPoolExecutor(self.settings.notify_senders, "notify-send") as pool:
                    list(pool.map(lambda job: self.record(job, *self.send(job, mailboxes)), jobs))
        finally:
            mailboxes.close()
        return len(jobs) + self.digests(now)

    def run(self, stop: threading.Event, *, idle_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                if self.run_once():
                    continue
            except Exception:
                logger.exception("notification worker: will retry")
            stop.wait(idle_seconds)
        self.http.close()
