"""`talentbridge worker` as its own process, the documented way to embed past one server.

It once did no work at all: the process imported only some models, so every batch failed
with NoReferencedTableError and was retried forever (issue 22). These tests start the real
command as subprocesses beside a server whose in-process worker is off.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.ingestion.models import EmbeddingTask
from tests.conftest import candidate_body, make_database
from tests.serving.live import live_server

COMMAND = shutil.which("talentbridge", path=str(Path(sys.executable).parent)) or "talentbridge"
READY = "waiting for work"


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request, tmp_path):
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


@contextmanager
def worker_process(url: str, log: Path, *, batch_size: int = 8) -> Iterator[subprocess.Popen]:
    env = {
        **os.environ,
        "TALENTBRIDGE_DATABASE_URL": url,
        "TALENTBRIDGE_INPROCESS_WORKER": "false",
        "HF_HUB_OFFLINE": "1",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [COMMAND, "worker", "--batch-size", str(batch_size)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while READY not in log.read_text():
        assert process.poll() is None, f"the worker exited: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"the worker never got ready: {log.read_text()}"
        time.sleep(0.2)


def _upload(server, institute, count):
    rows = [
        candidate_body(external_id=f"W{i}", full_name=f"Person {i}", job_title="care worker")
        for i in range(count)
    ]
    with server.client(headers=institute) as client:
        response = client.post("/api/v1/candidates/bulk", json=rows)
    assert response.status_code == 200, response.text
    return response.json()["job_id"]


def _wait_finished(server, institute, job_id, logs, timeout: float = 240):
    deadline = time.monotonic() + timeout
    with server.client(headers=institute) as client:
        while True:
            job = client.get(f"/api/v1/jobs/{job_id}").json()
            if job["status"] == "finished":
                return job
            tails = "\n".join(log.read_text()[-2000:] for log in logs)
            assert time.monotonic() < deadline, f"job stuck at {job}; workers said:\n{tails}"
            time.sleep(0.3)


def _finished_by(log: Path) -> int:
    return sum(int(n) for n in re.findall(r"finished (\d+) records", log.read_text()))


def _all_matchable(db) -> None:
    with Session(db.engine) as session:
        missing = session.scalar(select(func.count()).where(Candidate.embedding_model.is_(None)))
        queued = session.scalar(select(func.count()).select_from(EmbeddingTask))
    assert (missing, queued) == (0, 0)


def test_a_separate_worker_process_finishes_an_upload(committed_db, tools, tmp_path):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute = server.org("institute")
        log = tmp_path / "worker.log"
        with worker_process(committed_db.url, log) as process:
            _wait_ready(process, log)
            job_id = _upload(server, institute, 30)
            job = _wait_finished(server, institute, job_id, [log])
            assert process.poll() is None, log.read_text()[-3000:]
        assert (job["done"], job["failed"], job["total"]) == (30, 0, 30)
        assert "Error" not in log.read_text(), log.read_text()[-3000:]
        assert _finished_by(log) == 30
    _all_matchable(committed_db)


def test_two_worker_processes_share_a_job_and_do_nothing_twice(committed_db, tools, tmp_path):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute = server.org("institute")
        logs = [tmp_path / "one.log", tmp_path / "two.log"]
        with (
            worker_process(committed_db.url, logs[0], batch_size=4) as one,
            worker_process(committed_db.url, logs[1], batch_size=4) as two,
        ):
            _wait_ready(one, logs[0])
            _wait_ready(two, logs[1])
            job_id = _upload(server, institute, 160)
            job = _wait_finished(server, institute, job_id, logs)
        assert (job["done"], job["failed"], job["total"]) == (160, 0, 160)
        shares = [_finished_by(log) for log in logs]
        assert sum(shares) == 160, shares  # every record once: none skipped, none twice
        assert min(shares) > 0, shares  # both took part
    _all_matchable(committed_db)


def test_worker_once_drains_the_queue_and_exits_0(committed_db, tools, tmp_path):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute = server.org("institute")
        job_id = _upload(server, institute, 5)
        env = {**os.environ, "TALENTBRIDGE_DATABASE_URL": committed_db.url, "HF_HUB_OFFLINE": "1"}
        done = subprocess.run(
            [COMMAND, "worker", "--once"], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert "prepared 5 records" in done.stdout
        with server.client(headers=institute) as client:
            assert client.get(f"/api/v1/jobs/{job_id}").json()["done"] == 5
    _all_matchable(committed_db)


MODEL_MODULES = sorted(
    ".".join(path.relative_to(Path(__file__).parents[2] / "src").with_suffix("").parts)
    for path in (Path(__file__).parents[2] / "src" / "talentbridge").glob("*/models.py")
)


@pytest.mark.parametrize("module", MODEL_MODULES)
def test_each_models_module_alone_knows_every_table_its_foreign_keys_name(module):
    # The root of the bug above: a process importing one models module could not write it.
    probe = (
        f"import {module}\n"
        "from talentbridge.db import Base\n"
        "for table in Base.metadata.tables.values():\n"
        "    for key in table.foreign_keys:\n"
        "        key.column\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
