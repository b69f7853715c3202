"""An embedding worker process killed with SIGKILL mid-batch: no record half written, and
another worker finishes the work once the lease runs out, nothing done twice."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.ingestion.models import EmbeddingTask, Job
from talentbridge.matching.changes import Change
from tests.conftest import candidate_body, make_database
from tests.serving.live import live_server

LEASE = 4  # seconds: short, so the test need not wait two minutes for the dead worker's lease
# Imports every model first: `talentbridge worker` alone failed to store results before
# the worker fix (NoReferencedTableError); harmless after it.
WORKER = (
    "import sys, talentbridge.models_registry; from talentbridge.cli import main; "
    "sys.exit(main(['worker', '--batch-size', '16']))"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request, tmp_path):
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def start_worker(url: str, log) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TALENTBRIDGE_DATABASE_URL": url,
        "TALENTBRIDGE_WORKER_LEASE_SECONDS": str(LEASE),
        "TALENTBRIDGE_EMBEDDING_THREADS": "1",
    }
    return subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=log, stderr=log)


def state(db, job_id: int) -> tuple[Job, list[EmbeddingTask], list[Candidate]]:
    with Session(db.engine) as session:
        job = session.get(Job, job_id)
        tasks = list(session.scalars(select(EmbeddingTask)))
        people = list(session.scalars(select(Candidate).options(undefer(Candidate.embedding))))
        session.expunge_all()
    assert job is not None
    return job, tasks, people


def progress(db, job_id: int) -> tuple[Job, bool]:
    """The job and whether a worker holds a batch: a cheap look, polled often."""
    with Session(db.engine) as session:
        job = session.get(Job, job_id)
        held = session.scalar(select(func.count()).where(EmbeddingTask.claimed_by.is_not(None)))
        session.expunge_all()
    assert job is not None
    return job, bool(held)


def _summary(i: int) -> str:
    duties = ["bathing", "feeding", "turning in bed", "dressing", "night rounds", "medication"]
    return " ".join(
        f"Year {year}: resident {i * 7 + year} helped with {duties[(i + year) % len(duties)]}."
        for year in range(40)
    )


def whole_or_untouched(person: Candidate) -> bool:
    written = (
        person.embedding,
        person.embedding_hash,
        person.embedding_model,
        person.occupation_uri,
    )
    return all(v is not None for v in written) or all(v is None for v in written)


def test_a_worker_killed_mid_batch_leaves_nothing_half_done(committed_db, tools, tmp_path):
    db = committed_db
    with live_server(db.url, tools, inprocess_worker=False) as server:
        institute = server.org("institute")
        # Long, distinct summaries: each batch takes the model a while, so the test finds the
        # worker mid-batch rather than racing it (short identical texts took milliseconds).
        rows = [candidate_body(job_title="care worker", summary=_summary(i)) for i in range(96)]
        with server.client(headers=institute) as client:
            job_id = client.post("/api/v1/candidates/bulk", json=rows).json()["job_id"]

    log = (tmp_path / "workers.log").open("wb")
    first = start_worker(db.url, log)
    try:
        # Kill it while it holds a batch it has not committed, after at least one it has.
        deadline = time.monotonic() + 180
        while True:
            job, held = progress(db, job_id)
            if job.done >= 16 and held:
                first.send_signal(signal.SIGKILL)
                break
            assert first.poll() is None, (tmp_path / "workers.log").read_text()
            assert job.done < 96, "the worker finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        first.wait(10)
    finally:
        first.kill()

    job, tasks, people = state(db, job_id)
    held = [t for t in tasks if t.claimed_by]
    assert held, "killed between batches, not mid-batch"
    assert all(whole_or_untouched(p) for p in people)  # nothing half written
    embedded = sum(p.embedding is not None for p in people)
    assert embedded == job.done and len(tasks) == 96 - job.done  # counted as committed

    second = start_worker(db.url, log)
    try:
        deadline = time.monotonic() + 180
        while True:
            job, tasks, people = state(db, job_id)
            if job.finished_at is not None:
                break
            assert second.poll() is None, (tmp_path / "workers.log").read_text()
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    log.close()

    assert (job.done, job.failed, tasks) == (96, 0, [])
    assert all(p.embedding is not None and whole_or_untouched(p) for p in people)
    with Session(db.engine) as session:  # each record written once: its insert, one update
        writes = dict(
            session.execute(
                select(Change.record_id, func.count())
                .where(Change.entity == "candidate")
                .group_by(Change.record_id)
            ).all()
        )
    assert sorted(set(writes.values())) == [2], writes
