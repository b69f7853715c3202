"""A `talentbridge worker` killed with SIGKILL while its duplicate checker holds a batch: no
record half checked, and a second worker finishes the queue once the lease runs out, with
every pair listed once and none missed (a full scan afterwards finds nothing new)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.db import READ_ONLY
from talentbridge.duplicates import linking
from talentbridge.duplicates.checker import model_for
from talentbridge.duplicates.models import DuplicateCheck, DuplicateKey, DuplicatePair
from talentbridge.organisations.models import Organisation
from tests.conftest import Database, make_database

LEASE = 4  # seconds
BATCH = 8
GIVEN = ["Sunil", "Anita", "Ravi", "Pooja", "Arjun", "Meena", "Vikram", "Kavita", "Rahul", "Sita"]
FAMILY = ["Paswan", "Yadav", "Mandal", "Oraon", "Hembrom", "Soren", "Munda", "Tudu", "Kisku"]
WORKER = "import sys; from talentbridge.cli import main; sys.exit(main(['worker']))"


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def _seed(db: Database) -> int:
    """People born on one day (so each is compared with all the others, which makes a batch
    take a while), each person twice, by two institutes: the triggers queue one check per
    record."""
    with Session(db.engine) as session, session.begin():
        institutes = []
        for n in (1, 2):
            organisation = Organisation(kind="institute", name=f"Institute {n}", state="Bihar")
            session.add(organisation)
            session.flush()
            institutes.append(organisation.id)
        rows = [
            {
                "institute_id": institute,
                "external_id": f"K-{institute}-{g}-{f}",
                "full_name": f"{given} Kumar {family}",
                "date_of_birth": date(1996, 5, 9),
                "state": "Bihar",
                "sector": "construction",
                "job_title": "mason",
                "skills": [],
                "preferred_prefectures": [],
            }
            for g, given in enumerate(GIVEN)
            for f, family in enumerate(FAMILY)
            for institute in institutes
        ]
        session.execute(insert(Candidate), rows)
    return len(rows)


def start_worker(url: str, log: Any) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TALENTBRIDGE_DATABASE_URL": url,
        "TALENTBRIDGE_DUPLICATES_BATCH_SIZE": str(BATCH),
        "TALENTBRIDGE_DUPLICATES_LEASE_SECONDS": str(LEASE),
        "TALENTBRIDGE_EMBEDDING_THREADS": "1",
    }
    return subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=log, stderr=log)


def state(db: Database) -> tuple[list[DuplicateCheck], set[int], list[tuple[int, int]]]:
    """The queue, the records filed under their keys (checked), and the pairs listed."""
    # Read-only (DEFERRED on SQLite): a BEGIN IMMEDIATE from this process would starve behind
    # the worker's back-to-back write turns (SQLite's busy handler is not fair across processes).
    with (
        db.engine.connect() as conn,
        Session(conn.execution_options(**{READ_ONLY: True})) as session,
    ):
        queue = list(session.scalars(select(DuplicateCheck)))
        filed = set(session.scalars(select(DuplicateKey.candidate_id).distinct()))
        pairs = [
            (a, b)
            for a, b in session.execute(
                select(DuplicatePair.candidate_a, DuplicatePair.candidate_b)
            )
        ]
        session.expunge_all()
    return queue, filed, pairs


def progress(db: Database) -> tuple[int, bool]:
    """How many checks wait, and whether a checker holds some: a cheap look, polled often
    (reading the whole queue, keys and pairs each time let a checker on a busy machine
    finish between two looks)."""
    with db.engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY: True})
        waiting = conn.scalar(select(func.count()).select_from(DuplicateCheck)) or 0
        held = conn.scalar(select(func.count()).where(DuplicateCheck.claimed_by.is_not(None)))
    return int(waiting), bool(held)


def test_a_checker_killed_mid_batch_leaves_nothing_half_checked(
    committed_db: Database, tmp_path: Path
) -> None:
    db = committed_db
    total = _seed(db)
    log_path = tmp_path / "workers.log"
    log = log_path.open("wb")
    first = start_worker(db.url, log)
    try:
        # Kill it while it holds a batch it has not committed, after at least one it has.
        deadline = time.monotonic() + 120
        while True:
            waiting, held = progress(db)
            if waiting <= total - BATCH and held:
                first.send_signal(signal.SIGKILL)
                break
            assert first.poll() is None, log_path.read_text()
            assert waiting, "the checker finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        first.wait(10)
    finally:
        first.kill()

    queue, filed, pairs = state(db)
    held = [c for c in queue if c.claimed_by]
    assert held, "killed between batches, not mid-batch"
    with Session(db.engine) as session:
        everyone = set(session.scalars(select(Candidate.id)))
    waiting = {c.candidate_id for c in queue}
    assert filed == everyone - waiting  # a record is checked whole, or still queued
    assert all(a in filed or b in filed for a, b in pairs)  # no pair from an unchecked batch

    second = start_worker(db.url, log)
    try:
        deadline = time.monotonic() + 120
        while queue:
            assert second.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, len(queue)
            time.sleep(0.2)
            queue, filed, pairs = state(db)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    log.close()

    assert filed == everyone
    assert len(pairs) == len(set(pairs)) >= total // 2  # each person's two records, at least
    with Session(db.engine) as session:  # everyone against everyone finds nothing more
        scanned = linking.scan(session, model_for(Settings()))
        assert (scanned["new"], scanned["listed"]) == (0, len(pairs))
        assert session.scalar(select(func.count()).select_from(DuplicatePair)) == len(pairs)
        session.rollback()
