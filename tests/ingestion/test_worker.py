"""Uploads are embedded in the background: jobs, pending marks, crashes, several workers."""

import threading
import time

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.ingestion.models import EmbeddingTask, Job
from talentbridge.ingestion.worker import EmbeddingWorker
from tests.conftest import candidate_body, make_database, vacancy_body
from tests.serving.live import live_server


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request, tmp_path):
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def _worker(db, tools, **kwargs) -> EmbeddingWorker:
    return EmbeddingWorker(
        sessions=sessionmaker(bind=db.engine, expire_on_commit=False),
        embedder=tools.embedder,
        normaliser=tools.normaliser,
        **kwargs,
    )


def _upload(server, institute, count, prefix="U"):
    rows = [
        candidate_body(external_id=f"{prefix}{i}", job_title="care worker", full_name=f"P {i}")
        for i in range(count)
    ]
    with server.client(headers=institute) as client:
        response = client.post("/api/v1/candidates/bulk", json=rows)
    assert response.status_code == 200, response.text
    return response.json()


def _job(server, who, job_id):
    with server.client(headers=who) as client:
        response = client.get(f"/api/v1/jobs/{job_id}")
    assert response.status_code == 200, response.text
    return response.json()


def _matches(server, employer, vacancy_id):
    with server.client(headers=employer) as client:
        response = client.get(f"/api/v1/vacancies/{vacancy_id}/matches?limit=200")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_uploaded_candidates_match_as_pending_until_the_worker_embeds_them(committed_db, tools):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute, employer = server.org("institute"), server.org("employer")
        with server.client(headers=employer) as client:
            vacancy = client.post("/api/v1/vacancies", json=vacancy_body()).json()
        result = _upload(server, institute, 12)
        assert (result["created"], result["failed"]) == (12, 0)
        job = _job(server, institute, result["job_id"])
        assert (job["total"], job["done"], job["status"]) == (12, 0, "running")

        items = _matches(server, employer, vacancy["id"])
        assert len(items) == 12 and all(m["pending"] for m in items)
        assert all(m["components"]["semantic"] == 0 for m in items)

        assert _worker(committed_db, tools, batch_size=5).drain() == 12
        job = _job(server, institute, result["job_id"])
        assert (job["done"], job["failed"], job["status"]) == (12, 0, "finished")
        items = _matches(server, employer, vacancy["id"])
        assert len(items) == 12 and not any(m["pending"] for m in items)
        assert all(m["components"]["semantic"] > 0.3 for m in items)
        with server.client(headers=institute) as client:
            first = client.get(f"/api/v1/candidates/{items[0]['candidate_id']}").json()
        assert first["occupation"]["label"]


def test_jobs_are_seen_only_by_their_organisation_and_officers(committed_db, tools):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute, other = server.org("institute"), server.org("institute")
        officer = server.org("officer")
        job_id = _upload(server, institute, 2)["job_id"]
        with server.client(headers=other) as client:
            hidden = client.get(f"/api/v1/jobs/{job_id}")
        assert hidden.status_code == 404
        with server.client(headers=other) as client:
            missing = client.get(f"/api/v1/jobs/{job_id + 1000}")
        # "not yours" reads exactly like "does not exist"
        assert missing.status_code == 404
        assert (
            missing.json()["detail"].replace(str(job_id + 1000), str(job_id))
            == hidden.json()["detail"]
        )
        assert _job(server, officer, job_id)["total"] == 2
        with server.client() as client:
            assert client.get(f"/api/v1/jobs/{job_id}").status_code == 401


def test_a_worker_that_dies_mid_batch_leaves_nothing_half_done(committed_db, tools):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute = server.org("institute")
        job_id = _upload(server, institute, 8)["job_id"]

        dying = _worker(committed_db, tools, batch_size=8, lease_seconds=4, name="dies")
        leased = dying.lease()
        assert len(leased) == 8
        dying.compute(leased)  # ...and the process is killed before it commits

        survivor = _worker(committed_db, tools, batch_size=8, lease_seconds=60, name="lives")
        assert survivor.run_once() == 0  # still leased to the dead worker
        assert _job(server, institute, job_id)["done"] == 0
        time.sleep(4.2)
        assert survivor.drain() == 8
        assert dying.commit(leased) == 0  # a late commit of a lost lease changes nothing

        job = _job(server, institute, job_id)
        assert (job["done"], job["failed"], job["total"]) == (8, 0, 8)
        with committed_db.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(EmbeddingTask)) == 0
            unembedded = connection.scalar(
                select(func.count()).select_from(Candidate).where(Candidate.embedding.is_(None))
            )
        assert unembedded == 0


def test_a_record_edited_while_it_is_embedded_is_embedded_again(committed_db, tools):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute = server.org("institute")
        _upload(server, institute, 1)
        worker = _worker(committed_db, tools)
        leased = worker.lease()
        worker.compute(leased)
        with server.client(headers=institute) as client:
            person = client.get("/api/v1/candidates").json()["items"][0]
            edited = client.patch(
                f"/api/v1/candidates/{person['id']}", json={"summary": "Now a welder as well."}
            )
            assert edited.status_code == 200
        # The edit re-embedded it inline; the stale batch must not overwrite that vector.
        with committed_db.engine.connect() as connection:
            before = connection.scalar(select(Candidate.embedding_hash))
        assert worker.commit(leased) == 0
        assert worker.drain() == 1
        with committed_db.engine.connect() as connection:
            assert connection.scalar(select(Candidate.embedding_hash)) == before


def test_two_servers_and_two_workers_stay_consistent(tmp_path, tools):
    db = make_database("postgresql", tmp_path)
    try:
        migrate.upgrade(db.url)
        with (
            live_server(db.url, tools, inprocess_worker=False) as one,
            live_server(db.url, tools, inprocess_worker=False) as two,
        ):
            institute, employer = one.org("institute"), one.org("employer")
            with two.client(headers=employer) as client:
                vacancy = client.post("/api/v1/vacancies", json=vacancy_body()).json()
            job_id = _upload(one, institute, 60)["job_id"]
            workers = [_worker(db, tools, batch_size=7, name=f"w{i}") for i in range(2)]
            done = [0, 0]

            def work(i):
                done[i] = workers[i].drain()

            threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sum(done) == 60  # every record exactly once between the two
            job = _job(two, institute, job_id)
            assert (job["done"], job["total"], job["status"]) == (60, 60, "finished")
            with db.engine.connect() as connection:
                assert connection.scalar(select(Job.done)) == 60
            seen = [
                [
                    (m["candidate_id"], m["score"], m["pending"])
                    for m in _matches(s, employer, vacancy["id"])
                ]
                for s in (one, two)
            ]
            assert seen[0] == seen[1]
            assert len(seen[0]) == 60 and not any(p for _, _, p in seen[0])
    finally:
        db.drop()


def test_records_from_another_model_are_queued_at_start_and_reembedded(committed_db, tools):
    """After a change of model or backend, the server queues what it can no longer use."""
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute, employer = server.org("institute"), server.org("employer")
        _upload(server, institute, 3)
        with server.client(headers=employer) as client:
            vacancy = client.post("/api/v1/vacancies", json=vacancy_body()).json()
    assert _worker(committed_db, tools).drain() == 3
    with committed_db.engine.begin() as connection:
        connection.execute(update(Candidate).values(embedding_model="a-model-no-longer-used"))
    with live_server(committed_db.url, tools, inprocess_worker=True) as server:
        deadline = time.monotonic() + 60
        while True:
            items = _matches(server, employer, vacancy["id"])
            if len(items) == 3 and not any(m["pending"] for m in items):
                break
            assert time.monotonic() < deadline, items
            time.sleep(0.3)
    with committed_db.engine.connect() as connection:
        models = set(connection.scalars(select(Candidate.embedding_model)))
    assert models == {tools.embedder.model_name}
