"""Cleanup on a schedule: the change feed pruned (a reader behind it reloads), finished jobs
and old audit entries deleted, each domain's task registered in one place."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from talentbridge import maintenance, migrate
from talentbridge.audit.models import AuditEntry
from talentbridge.config import Settings
from talentbridge.db import utcnow
from talentbridge.ingestion.models import Job
from talentbridge.matching.changes import Change
from talentbridge.ops import prune
from talentbridge.organisations.models import Organisation
from tests.conftest import candidate_body, make_database, vacancy_body
from tests.serving.live import live_server


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request, tmp_path):
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def _organisation(session: Session) -> int:
    organisation = Organisation(kind="institute", name="Prune Institute", state="Gujarat")
    session.add(organisation)
    session.flush()
    return organisation.id


def test_prune_deletes_only_what_is_past_its_retention(committed_db):
    now = utcnow()
    with Session(committed_db.engine) as session, session.begin():
        org = _organisation(session)
        job = {"organisation_id": org, "kind": "bulk", "total": 1, "done": 1, "failed": 0}
        session.execute(
            insert(Job),
            [
                {**job, "finished_at": now - timedelta(days=40)},  # old: goes
                {**job, "finished_at": now - timedelta(days=2)},  # recent: stays
                {**job, "finished_at": None, "created_at": now - timedelta(days=90)},  # running
            ],
        )
        entry = {"action": "read", "entity": "candidate", "organisation_id": org}
        session.execute(
            insert(AuditEntry),
            [
                {**entry, "at": now - timedelta(days=400)},  # older than the retention
                {**entry, "at": now - timedelta(days=10)},
            ],
        )
        old = {"entity": "candidate", "deleted": False, "at": now - timedelta(hours=30)}
        session.execute(insert(Change), [{**old, "record_id": i} for i in range(1, 6)])
        session.execute(insert(Change), [{"entity": "candidate", "record_id": 9, "deleted": False}])
    env = {
        **os.environ,
        "TALENTBRIDGE_DATABASE_URL": committed_db.url,
        "TALENTBRIDGE_AUDIT_RETENTION_DAYS": "365",
    }
    code = "import sys; from talentbridge.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, "prune"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "jobs: 1 rows deleted" in done.stdout
    assert "audit_log: 1 rows deleted" in done.stdout
    assert "change_feed: 5 rows deleted" in done.stdout
    with Session(committed_db.engine) as session:
        finished = session.scalars(select(Job.finished_at).order_by(Job.id)).all()
        assert len(finished) == 2 and finished[1] is None
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1
        assert session.scalars(select(Change.record_id)).all() == [9]

    # Everything old: the newest feed row still stays, so seqs never restart.
    with Session(committed_db.engine) as session, session.begin():
        session.execute(update(Change).values(at=now - timedelta(days=3)))
    deleted = prune.run(sessionmaker(bind=committed_db.engine), Settings())
    assert deleted["change_feed"] == 0
    with Session(committed_db.engine) as session:
        assert session.scalars(select(Change.record_id)).all() == [9]


def test_a_match_index_behind_the_pruned_feed_reloads(committed_db, tools):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute, employer = server.org("institute"), server.org("employer")
        with server.client(headers=employer) as client:
            vacancy = client.post("/api/v1/vacancies", json=vacancy_body()).json()
        matches = f"/api/v1/vacancies/{vacancy['id']}/matches?limit=50"
        with server.client(headers=institute) as client:
            gone = client.post("/api/v1/candidates", json=candidate_body()).json()["id"]
        with server.client(headers=employer) as client:
            assert [m["candidate_id"] for m in client.get(matches).json()["items"]] == [gone]
        with server.client(headers=institute) as client:
            new = [client.post("/api/v1/candidates", json=candidate_body()).json()["id"]]
            new.append(client.post("/api/v1/candidates", json=candidate_body()).json()["id"])
            assert client.delete(f"/api/v1/candidates/{gone}").status_code == 204

        with Session(committed_db.engine) as session, session.begin():
            newest = session.scalar(select(func.max(Change.seq)))
            session.execute(update(Change).values(at=utcnow() - timedelta(days=2)))
        index = server.app.state.matcher.index
        assert index.position.seq < newest - 2  # behind by the rows about to be pruned
        assert prune.run(sessionmaker(bind=committed_db.engine), Settings())["change_feed"] > 2

        with server.client(headers=employer) as client:
            found = {m["candidate_id"] for m in client.get(matches).json()["items"]}
        assert found == set(new)  # the new ones in, the erased one out
        assert index.position.seq == newest


def test_the_worker_loop_runs_the_cleanup(committed_db, tools):
    with Session(committed_db.engine) as session, session.begin():
        org = _organisation(session)
        session.execute(
            insert(Job),
            [
                {
                    "organisation_id": org,
                    "kind": "bulk",
                    "total": 0,
                    "done": 0,
                    "failed": 0,
                    "finished_at": utcnow() - timedelta(days=60),
                }
            ],
        )
    with live_server(
        committed_db.url, tools, inprocess_worker=True, maintenance_interval_seconds=0.5
    ):
        deadline = time.monotonic() + 20
        while True:
            with Session(committed_db.engine) as session:
                if not session.scalar(select(func.count()).select_from(Job)):
                    break
            assert time.monotonic() < deadline, "the worker loop never pruned the old job"
            time.sleep(0.2)


def test_tasks_register_in_one_place_and_one_failing_stops_no_other(database):
    calls = []

    @maintenance.task("test_sessions")
    def sessions(session, settings, now):
        calls.append(now)
        return 7

    @maintenance.task("test_broken")
    def broken(session, settings, now):
        raise RuntimeError("a task that fails")

    try:
        deleted = prune.run(sessionmaker(bind=database.engine), Settings())
    finally:
        maintenance.TASKS.pop("test_sessions")
        maintenance.TASKS.pop("test_broken")
    assert deleted["test_sessions"] == 7 and deleted["test_broken"] == -1
    assert {"change_feed", "jobs", "audit_log"} <= set(deleted) and len(calls) == 1
