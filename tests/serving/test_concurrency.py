"""Many users at once against a real server: races, reads after writes, saturation."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from talentbridge import migrate
from tests.conftest import candidate_body, make_database, vacancy_body
from tests.serving.live import live_server


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request, tmp_path):
    """A database of its own: a live server commits for real."""
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def test_racing_posts_of_one_external_id_give_one_201_and_409s(committed_db, tools):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute = server.org("institute")
        body = candidate_body(external_id="SAME-1")
        barrier = threading.Barrier(10)

        def post(_):
            with server.client(headers=institute) as client:
                barrier.wait()
                return client.post("/api/v1/candidates", json=body)

        with ThreadPoolExecutor(10) as pool:
            responses = list(pool.map(post, range(10)))
        codes = sorted(r.status_code for r in responses)
        assert codes == [201] + [409] * 9, [r.text for r in responses]
        assert {r.json()["field"] for r in responses if r.status_code == 409} == {"external_id"}
        with server.client(headers=institute) as client:
            assert client.get("/api/v1/candidates").json()["total"] == 1


def test_every_acknowledged_write_is_readable_at_once(committed_db, tools):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute, employer = server.org("institute"), server.org("employer")

        def create_and_read(i):
            with server.client(headers=institute) as client:
                made = client.post("/api/v1/candidates", json=candidate_body(external_id=f"R{i}"))
                assert made.status_code == 201, made.text
                return client.get(f"/api/v1/candidates/{made.json()['id']}").status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(create_and_read, range(40))) == {200}
        with server.client(headers=employer) as client:
            for _ in range(10):
                made = client.post("/api/v1/vacancies", json=vacancy_body())
                assert made.status_code == 201
                assert client.get(f"/api/v1/vacancies/{made.json()['id']}").status_code == 200


def test_other_users_are_answered_while_a_big_upload_is_stored(committed_db, tools):
    rows = [candidate_body(external_id=f"B{i}") for i in range(3000)]
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute = server.org("institute")
        upload_done = threading.Event()
        answered_during_upload = []

        def upload():
            with server.client(headers=institute) as client:
                response = client.post("/api/v1/candidates/bulk", json=rows)
            upload_done.set()
            return response

        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(upload)
            with server.client() as client:
                while not upload_done.is_set():
                    assert client.get("/health").status_code == 200
                    answered_during_upload.append(not upload_done.is_set())
            result = pending.result()
        assert result.status_code == 200, result.text
        assert result.json()["created"] == 3000
        assert any(answered_during_upload)


def test_sqlite_answers_503_with_retry_after_while_another_writer_holds_the_lock(tmp_path, tools):
    db = make_database("sqlite", tmp_path)
    try:
        migrate.upgrade(db.url)
        with live_server(db.url, tools, inprocess_worker=False, sqlite_busy_seconds=0.3) as server:
            institute = server.org("institute")
            with server.client(headers=institute) as client:
                assert client.post("/api/v1/candidates", json=candidate_body()).status_code == 201
            holder = create_engine(db.url, connect_args={"timeout": 1}).connect()
            holder.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                with server.client(headers=institute) as client:
                    busy = client.post("/api/v1/candidates", json=candidate_body())
                    assert busy.status_code == 503, busy.text
                    assert int(busy.headers["Retry-After"]) >= 1
                    # Reads never need the write lock (reads of personal data do, briefly,
                    # for their audit entry).
                    report = client.get("/api/v1/reports/progress")
                    assert report.status_code == 200, report.text
            finally:
                holder.exec_driver_sql("ROLLBACK")
                holder.close()
            with server.client(headers=institute) as client:
                assert client.post("/api/v1/candidates", json=candidate_body()).status_code == 201
                assert client.get("/api/v1/candidates").json()["total"] == 2
    finally:
        db.drop()


def test_health_reports_the_loaded_index(committed_db, tools):
    with committed_db.engine.begin() as connection:
        connection.execute(text("SELECT 1"))
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        with server.client() as client:
            index = client.get("/health").json()["index"]
        assert index["loaded"] is True
        assert index["candidates"] == 0
        assert index["skipped"] == []
