"""/metrics parsed with prometheus-client's own parser; JSON log lines with request ids and no
personal data, read from a real `talentbridge serve` process; /health's index and queue."""

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import sessionmaker

from talentbridge import migrate
from talentbridge.app import create_app
from talentbridge.config import Settings
from talentbridge.ingestion.worker import EmbeddingWorker
from tests.conftest import ADMIN, candidate_body, make_database, vacancy_body
from tests.serving.live import live_server

METRICS_TOKEN = "metrics-token-for-the-test-0123456789"


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request, tmp_path):
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def scrape(client: httpx.Client | TestClient, **headers: str) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_queue_index_and_failures(committed_db, tools):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        institute, employer = server.org("institute"), server.org("employer")
        with server.client() as anonymous:
            before = scrape(anonymous)
        with server.client(headers=institute) as client:
            created = client.post("/api/v1/candidates", json=candidate_body()).json()
            assert client.get(f"/api/v1/candidates/{created['id']}").status_code == 200
            rows = [candidate_body() for _ in range(3)]
            assert client.post("/api/v1/candidates/bulk", json=rows).status_code == 200
        with server.client(headers={"Authorization": "Bearer tb_wrong_key"}) as client:
            assert client.get("/api/v1/candidates").status_code == 401
        with server.client(headers=employer) as client:
            vacancy = client.post("/api/v1/vacancies", json=vacancy_body()).json()
        with server.client() as anonymous:
            after = scrape(anonymous)

        route = {"route": "/api/v1/candidates/{candidate_id}", "method": "GET", "status": "200"}
        count = "talentbridge_request_duration_seconds_count"
        assert value(after, count, **route) == value(before, count, **route) + 1
        bucket = value(after, "talentbridge_request_duration_seconds_bucket", **route, le="+Inf")
        assert bucket == value(after, count, **route)
        created_route = {"route": "/api/v1/candidates", "method": "POST", "status": "201"}
        assert value(after, count, **created_route) >= 1
        failures = "talentbridge_sign_in_failures_total"
        assert value(after, failures, kind="api_key") == value(before, failures, kind="api_key") + 1
        assert value(after, "talentbridge_requests_in_flight") == 1  # this scrape
        assert value(after, "talentbridge_database_up") == 1
        assert value(after, "talentbridge_embedding_queue_depth") == 3
        assert 0 <= value(after, "talentbridge_embedding_queue_oldest_seconds") < 60
        pool = "talentbridge_db_pool_connections"
        assert value(after, pool, state="in_use") + value(after, pool, state="idle") >= 1
        assert value(after, "talentbridge_db_pool_capacity") > 0
        # the index has not applied the new records' feed rows until something asks it
        assert value(after, "talentbridge_index_feed_lag") >= 4

        worker = EmbeddingWorker(
            sessions=sessionmaker(bind=committed_db.engine, expire_on_commit=False),
            embedder=tools.embedder,
            normaliser=tools.normaliser,
        )
        jobs = "talentbridge_jobs_total"
        assert worker.drain() == 3
        with server.client(headers=employer) as client:
            assert client.get(f"/api/v1/vacancies/{vacancy['id']}/matches").status_code == 200
        with server.client() as anonymous:
            drained = scrape(anonymous)
        assert value(drained, "talentbridge_embedding_queue_depth") == 0
        assert value(drained, "talentbridge_embedding_queue_oldest_seconds") == 0
        assert (
            value(drained, jobs, outcome="finished") == value(after, jobs, outcome="finished") + 1
        )
        done = "talentbridge_embedding_records_total"
        assert value(drained, done, outcome="done") == value(after, done, outcome="done") + 3
        assert value(drained, "talentbridge_index_feed_lag") == 0  # the match caught it up


def test_metrics_need_the_token_when_set_and_loopback_when_not(database, tools):
    settings = Settings(database_url=database.url, inprocess_worker=False)
    app = create_app(settings, engine=database.engine, tools=tools, load_tools=False)
    with TestClient(app, client=("203.0.113.7", 40000)) as remote:
        refused = remote.get("/metrics")
        assert (
            refused.status_code == 403 and "TALENTBRIDGE_METRICS_TOKEN" in refused.json()["detail"]
        )
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        scrape(local)
    guarded = Settings(
        database_url=database.url, inprocess_worker=False, metrics_token=METRICS_TOKEN
    )
    app = create_app(guarded, engine=database.engine, tools=tools, load_tools=False)
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        assert local.get("/metrics").status_code == 401
        wrong = local.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401 and wrong.json()["field"] == "Authorization"
    with TestClient(app, client=("203.0.113.7", 40000)) as remote:
        samples = scrape(remote, Authorization=f"Bearer {METRICS_TOKEN}")
        assert value(samples, "talentbridge_sign_in_failures_total", kind="metrics_token") >= 2


def test_health_says_whether_the_index_is_current_and_the_queue_moving(committed_db, tools):
    with live_server(
        committed_db.url, tools, inprocess_worker=False, health_queue_age_seconds=1.0
    ) as server:
        institute = server.org("institute")
        with server.client() as client:
            healthy = client.get("/health").json()
        assert healthy["status"] == "ok" and healthy["index"]["current"]
        assert healthy["queue"] == {
            "depth": 0,
            "oldest_seconds": 0.0,
            "leased": False,
            "moving": True,
        }
        with server.client(headers=institute) as client:
            client.post("/api/v1/candidates/bulk", json=[candidate_body() for _ in range(2)])
        time.sleep(1.5)  # no worker runs: the queue stands still
        with server.client() as client:
            stuck = client.get("/health")
        assert stuck.status_code == 200  # alive, but says what is wrong
        body = stuck.json()
        assert body["status"] == "degraded" and body["queue"]["depth"] == 2
        assert not body["queue"]["moving"] and body["queue"]["oldest_seconds"] >= 1
        assert body["index"]["current"] and body["index"]["lag"] == 0  # /health caught it up


def _serve(url: str, port: int, log) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TALENTBRIDGE_DATABASE_URL": url, "TALENTBRIDGE_ADMIN_TOKEN": ADMIN}
    env["TALENTBRIDGE_INPROCESS_WORKER"] = "false"
    code = "import sys; from talentbridge.cli import main; sys.exit(main(sys.argv[1:]))"
    command = [sys.executable, "-c", code, "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=log, stderr=log)


def test_logs_are_json_lines_with_request_ids_and_no_personal_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    migrate.upgrade(url)
    from talentbridge.benchmarks.seed import free_port

    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = _serve(url, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline
            time.sleep(0.5)
        with httpx.Client(base_url=base, timeout=60) as client:
            org = client.post(
                "/api/v1/organisations",
                json={"kind": "institute", "name": "Log Institute", "state": "Gujarat"},
                headers={"Authorization": f"Bearer {ADMIN}"},
            ).json()
            key = org["api_key"]
            person = candidate_body(
                full_name="Zebulon Quixote-Marchetti", date_of_birth="1999-03-17"
            )
            traced = client.post(
                "/api/v1/candidates",
                json=person,
                headers={"Authorization": f"Bearer {key}", "X-Request-ID": "trace-abc-12345"},
            )
            assert traced.status_code == 201
            assert traced.headers["x-request-id"] == "trace-abc-12345"
            again = client.post(  # the same external id: 409
                "/api/v1/candidates", json=person, headers={"Authorization": f"Bearer {key}"}
            )
            assert again.status_code == 409
            odd = client.get("/health", headers={"X-Request-ID": "<script>" + "x" * 100})
            assert odd.headers["x-request-id"] != "<script>" + "x" * 100
            assert len(odd.headers["x-request-id"]) == 32  # a fresh one instead
            bad = client.get("/api/v1/candidates", headers={"Authorization": "Bearer tb_nope"})
            assert bad.status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)

    text = log_path.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line JSON
    access = [entry for entry in lines if entry["logger"] == "talentbridge.access"]
    mine = [entry for entry in access if entry.get("request_id") == "trace-abc-12345"]
    assert [(e["route"], e["status"], e["method"]) for e in mine] == [
        ("/api/v1/candidates", 201, "POST")
    ]
    assert {e["status"] for e in access} >= {200, 201, 401, 409}
    assert all(len(e["request_id"]) >= 8 for e in access)
    for secret in ("Zebulon", "Quixote", "1999-03-17", key, ADMIN, "tb_nope"):
        assert secret not in text


def test_an_error_logged_with_a_validation_failure_carries_no_input():
    import logging

    from pydantic import BaseModel, ValidationError

    from talentbridge.logs import JsonFormatter

    class Person(BaseModel):
        full_name: int
        date_of_birth: int

    given = {"full_name": "Zebulon Quixote", "date_of_birth": "1999-03-17"}
    try:
        try:
            Person.model_validate(given)
        except ValidationError as exc:
            raise RuntimeError("could not answer") from exc
    except RuntimeError:
        record = logging.getLogger("talentbridge").makeRecord(
            "talentbridge", logging.ERROR, __file__, 1, "unhandled error", (), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert "full_name: int_parsing" in line["error"] and "RuntimeError" in line["error"]
    assert "Zebulon" not in line["error"] and "1999-03-17" not in line["error"]
