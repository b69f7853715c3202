"""A `talentbridge worker` killed with SIGKILL while a webhook call is on the wire: no
delivery half recorded, and a second worker delivers the rest once the lease runs out.

Delivery is at least once on the wire: the calls the kill cut short reached the receiver,
which never answered, so the second worker sends them again with the same
`X-TalentBridge-Delivery` ids. The receiver de-duplicates by that id; the delivery table
records each event to each receiver delivered exactly once.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.db import READ_ONLY
from talentbridge.notifications.models import Delivery, DeliveryAttempt, OutboxEvent, Webhook
from tests.conftest import Database, candidate_body, make_database, vacancy_body
from tests.serving.live import live_server

LEASE = 4  # seconds: the dead worker's claims are taken again after this
PLACEMENTS = 20  # each tells the employer and the institute: 40 events, 40 deliveries
STALL_AT = 8  # the receiver holds the 8th call and later ones: the kill lands mid-send
WORKER = "import sys; from talentbridge.cli import main; sys.exit(main(['worker']))"


class StallingReceiver:
    """A webhook receiver on 127.0.0.1 that keeps its STALL_AT-th call and the later ones
    waiting until released."""

    def __init__(self) -> None:
        self.received: list[str] = []  # X-TalentBridge-Delivery of every call, in order
        self.stalled = threading.Event()  # the held call has arrived
        self.release = threading.Event()
        got = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                got.received.append(self.headers["X-TalentBridge-Delivery"])
                if len(got.received) >= STALL_AT and not got.release.is_set():
                    got.stalled.set()
                    got.release.wait(120)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the caller is gone

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


@pytest.fixture
def receiver() -> Iterator[StallingReceiver]:
    got = StallingReceiver()
    yield got
    got.close()


def start_worker(url: str, log: Any) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TALENTBRIDGE_DATABASE_URL": url,
        "TALENTBRIDGE_NOTIFY_LEASE_SECONDS": str(LEASE),
        "TALENTBRIDGE_WEBHOOK_TIMEOUT_SECONDS": "3",
        "TALENTBRIDGE_WEBHOOK_ALLOW_PRIVATE": "true",
        "TALENTBRIDGE_DUPLICATES_CHECK": "false",
        "TALENTBRIDGE_EMBEDDING_THREADS": "1",
    }
    return subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=log, stderr=log)


def deliveries(db: Database) -> tuple[list[Delivery], list[DeliveryAttempt]]:
    # Read-only (DEFERRED on SQLite), so the probe never queues behind the worker's writes.
    with (
        db.engine.connect() as conn,
        Session(conn.execution_options(**{READ_ONLY: True})) as session,
    ):
        rows = list(session.scalars(select(Delivery).order_by(Delivery.id)))
        tries = list(session.scalars(select(DeliveryAttempt)))
        session.expunge_all()
    return rows, tries


def test_a_worker_killed_mid_send_leaves_each_delivery_recorded_once(
    committed_db: Database, tools: Any, receiver: StallingReceiver, tmp_path: Path
) -> None:
    db = committed_db
    with live_server(db.url, tools, inprocess_worker=False, webhook_allow_private=True) as server:
        institute, employer = server.org("institute"), server.org("employer")
        for who in (institute, employer):
            with server.client(headers=who) as client:
                made = client.post(
                    "/api/v1/webhooks",
                    json={"url": receiver.url, "events": ["placement.stage_changed"]},
                )
                assert made.status_code == 201, made.text
        with server.client(headers=employer) as client:
            vacancy = client.post("/api/v1/vacancies", json=vacancy_body()).json()["id"]
        for _ in range(PLACEMENTS):
            with server.client(headers=institute) as client:
                person = client.post("/api/v1/candidates", json=candidate_body()).json()["id"]
            with server.client(headers=employer) as client:
                placed = client.post(
                    "/api/v1/placements", json={"vacancy_id": vacancy, "candidate_id": person}
                )
                assert placed.status_code == 201, placed.text
    with Session(db.engine) as session:
        hooks = dict(session.execute(select(Webhook.organisation_id, Webhook.id)).all())
        events = session.execute(select(OutboxEvent.id, OutboxEvent.organisation_id)).all()
    expected = {f"{event}-webhook:{hooks[org]}" for event, org in events}
    assert len(expected) == 2 * PLACEMENTS

    log_path = tmp_path / "workers.log"
    log = log_path.open("wb")
    first = start_worker(db.url, log)
    try:
        assert receiver.stalled.wait(120), log_path.read_text()  # a call is on the wire
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    time.sleep(1)  # calls already written to the socket are read by now
    on_wire = set(receiver.received)

    rows, tries = deliveries(db)
    assert len(rows) == 2 * PLACEMENTS  # fanned out before the kill, once
    done = [r for r in rows if r.status == "delivered"]
    assert 0 < len(done) < STALL_AT  # answered calls, recorded; none after the stall
    assert all(r.status == "pending" and r.attempts == 0 for r in rows if r not in done)
    assert sorted(t.delivery_id for t in tries) == sorted(r.id for r in done)  # nothing half
    recorded = {f"{r.event_id}-{r.receiver}" for r in done}
    cut_short = on_wire - recorded  # reached the receiver, not recorded: will come again
    assert recorded <= on_wire and receiver.received[STALL_AT - 1] in cut_short

    receiver.release.set()
    second = start_worker(db.url, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            rows, tries = deliveries(db)
            if all(r.status == "delivered" for r in rows):
                break
            assert second.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, [r.status for r in rows]
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    log.close()

    # On the wire: every event reached its receiver; only the calls cut short came twice.
    seen = Counter(receiver.received)
    assert set(seen) == expected  # the receiver, de-duplicating by the id, has each once
    assert {id_ for id_, n in seen.items() if n > 1} == cut_short
    assert {seen[id_] for id_ in cut_short} == {2}
    # In the table: one delivered row per event and receiver, one successful attempt each.
    assert len(rows) == len({(r.event_id, r.receiver) for r in rows}) == 2 * PLACEMENTS
    assert all(r.attempts == 1 for r in rows)
    assert sorted(t.delivery_id for t in tries) == sorted(r.id for r in rows)
    assert {t.status_code for t in tries} == {200}
