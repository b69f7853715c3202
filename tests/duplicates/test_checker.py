"""The background check on a committed database: triggers queue every new or changed
record, the checker compares it with the others, and `talentbridge duplicates scan` does
everyone at once."""

import os
import subprocess
import sys
import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import sessionmaker

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.db import unit_of_work
from talentbridge.duplicates.checker import DuplicateChecker
from talentbridge.duplicates.model import LinkageModel
from talentbridge.duplicates.models import DuplicateCheck, DuplicatePair
from talentbridge.organisations.models import Organisation
from tests.conftest import make_database


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request, tmp_path):
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def _candidate(sessions, institute_id, external_id, name, born):
    with unit_of_work(sessions) as session:
        return session.scalar(
            insert(Candidate)
            .values(
                institute_id=institute_id,
                external_id=external_id,
                full_name=name,
                date_of_birth=born,
                state="Bihar",
                sector="construction",
                job_title="mason",
                skills=[],
                preferred_prefectures=[],
            )  # fmt: skip
            .returning(Candidate.id)
        )


def _pairs(sessions):
    with unit_of_work(sessions, read_only=True) as session:
        return [
            (p.candidate_a, p.candidate_b, p.status) for p in session.scalars(select(DuplicatePair))
        ]


def _institutes(sessions):
    with unit_of_work(sessions) as session:
        ids = []
        for n in (1, 2):
            org = Organisation(kind="institute", name=f"Institute {n}", state="Bihar")
            session.add(org)
            session.flush()
            ids.append(org.id)
        return ids


def test_a_new_record_is_checked_in_the_background_within_seconds(committed_db):
    sessions = sessionmaker(bind=committed_db.engine, expire_on_commit=False)
    a, b = _institutes(sessions)
    first = _candidate(sessions, a, "A1", "Sunil Kumar Paswan", date(1996, 5, 9))
    stop = threading.Event()
    checker = DuplicateChecker(sessions=sessions, model=LinkageModel.load())
    thread = threading.Thread(target=checker.run, args=(stop,), kwargs={"idle_seconds": 0.2})
    thread.start()
    try:
        started = time.monotonic()
        second = _candidate(sessions, b, "B1", "Paswan Suneel Kumar", date(1996, 9, 5))
        while not _pairs(sessions) and time.monotonic() - started < 30:
            time.sleep(0.1)
        assert _pairs(sessions) == [(first, second, "open")]
        # a change of name that makes them strangers drops the open pair
        with unit_of_work(sessions) as session:
            session.execute(
                update(Candidate).where(Candidate.id == second).values(full_name="Ravi Jha")
            )
        started = time.monotonic()
        while _pairs(sessions) and time.monotonic() - started < 30:
            time.sleep(0.1)
        assert _pairs(sessions) == []
    finally:
        stop.set()
        thread.join(10)
    with unit_of_work(sessions, read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(DuplicateCheck)) == 0


def test_the_scan_command_finds_every_pair_and_empties_the_queue(committed_db):
    sessions = sessionmaker(bind=committed_db.engine, expire_on_commit=False)
    a, b = _institutes(sessions)
    one = _candidate(sessions, a, "A1", "Md. Arif Ansari", date(1994, 2, 3))
    two = _candidate(sessions, b, "B1", "Mohammed Arif Ansari", date(1994, 3, 2))
    _candidate(sessions, b, "B2", "Neha Gupta", date(2000, 10, 10))
    run = subprocess.run(
        [sys.executable, "-c", "from talentbridge.cli import main; main()", "duplicates", "scan"],
        env={**os.environ, "TALENTBRIDGE_DATABASE_URL": committed_db.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "3 records" in run.stdout and "1 listed" in run.stdout
    assert _pairs(sessions) == [(one, two, "open")]
    with unit_of_work(sessions, read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(DuplicateCheck)) == 0
