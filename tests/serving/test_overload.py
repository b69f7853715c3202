"""Overload and SQLite's one write lock: reads never wait for writers, and a server at
capacity says so at once (503 with Retry-After) instead of queueing everyone."""

import json
import threading
import time

from sqlalchemy import create_engine, select

from talentbridge import migrate
from talentbridge.audit import writer as audit_writer
from talentbridge.audit.models import AuditEntry
from tests.conftest import candidate_body, make_database
from tests.serving.live import live_server


def _actions(url: str, candidate_id: int) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "candidate", AuditEntry.entity_id == candidate_id)
            .order_by(AuditEntry.id)
        )
        actions = list(found.scalars())
    engine.dispose()
    return actions


def test_sqlite_reads_answer_while_a_writer_holds_the_lock_and_are_audited_after(tmp_path, tools):
    db = make_database("sqlite", tmp_path)
    try:
        migrate.upgrade(db.url)
        with live_server(db.url, tools, inprocess_worker=False, sqlite_busy_seconds=2) as server:
            institute = server.org("institute")
            with server.client(headers=institute) as client:
                made = client.post("/api/v1/candidates", json=candidate_body())
                assert made.status_code == 201
                candidate_id = made.json()["id"]
            holder = create_engine(db.url, connect_args={"timeout": 1}).connect()
            holder.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                with server.client(headers=institute) as client:
                    # A read that needed the lock would wait 2 s and answer 503.
                    read = client.get(f"/api/v1/candidates/{candidate_id}")
                    assert read.status_code == 200, read.text
                    assert client.get("/api/v1/candidates").status_code == 200
                # Its audit entry waits for the lock; it is not lost.
                assert _actions(db.url, candidate_id) == ["create"]
            finally:
                holder.exec_driver_sql("ROLLBACK")
                holder.close()
            writer = audit_writer.writer_for(server.app.state.engine)
            assert writer.flush(10)
            assert _actions(db.url, candidate_id) == ["create", "read", "list"]
            # A read followed at once by a write is logged before it (the write takes the
            # waiting entries into its own transaction).
            with server.client(headers=institute) as client:
                assert client.get(f"/api/v1/candidates/{candidate_id}").status_code == 200
                assert client.delete(f"/api/v1/candidates/{candidate_id}").status_code == 204
            assert writer.flush(10)
            assert _actions(db.url, candidate_id) == ["create", "read", "list", "read", "erase"]
    finally:
        db.drop()


def test_at_capacity_the_server_answers_503_with_retry_after_within_a_second(tmp_path, tools):
    db = make_database("sqlite", tmp_path)
    try:
        migrate.upgrade(db.url)
        settings = {"admission_limit": 1, "admission_wait_seconds": 0.2, "retry_after_seconds": 3}
        with live_server(db.url, tools, inprocess_worker=False, **settings) as server:
            institute = server.org("institute")
            started = threading.Event()

            def slow_body():  # holds the one place while its body trickles in
                yield b'{"external_id": "SLOW-1", '
                started.set()
                time.sleep(1.5)
                body = candidate_body(external_id="SLOW-1")
                body.pop("external_id")
                yield json.dumps(body)[1:].encode()

            answers: list[int] = []

            def post() -> None:
                headers = {**institute, "Content-Type": "application/json"}
                with server.client(headers=headers) as client:
                    answers.append(
                        client.post("/api/v1/candidates", content=slow_body()).status_code
                    )

            thread = threading.Thread(target=post)
            thread.start()
            assert started.wait(10)
            time.sleep(0.2)
            with server.client(headers=institute) as client:
                asked = time.monotonic()
                refused = client.get("/api/v1/meta")
                took = time.monotonic() - asked
                assert refused.status_code == 503, refused.text
                assert refused.headers["Retry-After"] == "3"
                assert refused.json()["detail"]
                assert took < 1.0
                assert client.get("/health").status_code == 200  # never held back
            thread.join(20)
            assert answers == [201]
            with server.client(headers=institute) as client:
                assert client.get("/api/v1/meta").status_code == 200
    finally:
        db.drop()
