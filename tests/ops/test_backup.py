"""`talentbridge backup` while writes go on, `talentbridge restore` into a fresh database:
every record, tally and audit row kept, and the restored service answers the same report."""

import os
import subprocess
import sys
import threading
import uuid

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.placements import tallies
from tests.conftest import PG_SERVER, candidate_body, make_database, vacancy_body
from tests.serving.live import live_server


@pytest.fixture(params=["sqlite", "postgresql"])
def source(request, tmp_path):
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


@pytest.fixture
def empty(source, tmp_path):
    """Fresh, empty databases of the source's kind, dropped afterwards."""
    made: list[str] = []

    def fresh() -> str:
        name = f"tb_restore_{uuid.uuid4().hex[:10]}"
        made.append(name)
        if source.backend == "sqlite":
            return f"sqlite:///{tmp_path / (name + '.db')}"
        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return f"{PG_SERVER}/{name}"

    yield fresh
    if source.backend == "postgresql":
        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def talentbridge(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TALENTBRIDGE_DATABASE_URL": url}
    code = "import sys; from talentbridge.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=300
    )


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = sorted(inspect(connection).get_table_names())
            return {
                name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in names
            }
    finally:
        engine.dispose()


def candidate_ids(url: str) -> set[int]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return set(session.scalars(select(Candidate.id)))
    finally:
        engine.dispose()


def wrong_tally_cells(url: str) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session, session.begin():
            return tallies.recount(session)
    finally:
        engine.dispose()


def _programme(server):
    """Organisations, a vacancy and a few people through the pipeline (tallies, audit)."""
    institute, employer, officer = (
        server.org("institute"),
        server.org("employer"),
        server.org("officer"),
    )
    with server.client(headers=employer) as client:
        vacancy = client.post("/api/v1/vacancies", json=vacancy_body(openings=3)).json()
    with server.client(headers=institute) as client:
        people = [
            client.post("/api/v1/candidates", json=candidate_body()).json()["id"] for _ in range(4)
        ]
    with server.client(headers=employer) as client:
        for person, stages in zip(people, (4, 2, 1, 0), strict=True):
            placement = client.post(
                "/api/v1/placements", json={"vacancy_id": vacancy["id"], "candidate_id": person}
            ).json()
            for stage in ["interviewing", "offered", "visa_processing", "placed"][:stages]:
                moved = client.patch(
                    f"/api/v1/placements/{placement['id']}", json={"status": stage}
                )
                assert moved.status_code == 200, moved.text
    return institute, officer


def _report(server, officer) -> dict:
    with server.client(headers=officer) as client:
        response = client.get("/api/v1/reports/progress")
    assert response.status_code == 200, response.text
    body = response.json()
    body.pop("generated_at", None)
    return body


def test_a_backup_taken_under_writes_restores_whole(source, empty, tools, tmp_path):
    with live_server(source.url, tools, inprocess_worker=False) as server:
        institute, officer = _programme(server)
        acknowledged: list[int] = []
        stop = threading.Event()

        def write() -> None:
            with server.client(headers=institute) as client:
                while not stop.is_set():
                    response = client.post("/api/v1/candidates", json=candidate_body())
                    assert response.status_code == 201, response.text
                    acknowledged.append(response.json()["id"])

        writer = threading.Thread(target=write)
        writer.start()
        while len(acknowledged) < 5:
            stop.wait(0.05)
        before = set(acknowledged)
        during = tmp_path / "during.backup"
        made = talentbridge(source.url, "backup", "--to", str(during))
        after = set(acknowledged)
        stop.set()
        writer.join(30)
        assert made.returncode == 0, made.stderr
        assert len(after) > len(before)  # the writes did go on while it ran
        quiet = tmp_path / "quiet.backup"
        assert talentbridge(source.url, "backup", "--to", str(quiet)).returncode == 0
        report = _report(server, officer)

    # Taken under writes: one moment's copy, with everything acknowledged before it began.
    restored = empty()
    done = talentbridge(restored, "restore", "--from", str(during))
    assert done.returncode == 0, done.stderr
    ids = candidate_ids(restored)
    assert before <= ids <= candidate_ids(source.url)
    assert wrong_tally_cells(restored) == 0  # tallies agree with the rows they count

    # Taken at rest: every table holds the same rows, and the same report is answered.
    restored = empty()
    assert talentbridge(restored, "restore", "--from", str(quiet)).returncode == 0
    assert counts(restored) == counts(source.url)
    assert counts(restored)["audit_log"] > 0 and counts(restored)["stage_tallies"] > 0
    with live_server(restored, tools, inprocess_worker=False) as server:
        assert _report(server, officer) == report  # the same officer key works there too
        with server.client(headers=institute) as client:  # and it takes new records
            assert client.post("/api/v1/candidates", json=candidate_body()).status_code == 201


def test_restore_refuses_a_database_that_is_not_empty(source, empty, tmp_path):
    backup = tmp_path / "db.backup"
    assert talentbridge(source.url, "backup", "--to", str(backup)).returncode == 0
    refused = talentbridge(source.url, "restore", "--from", str(backup))
    assert refused.returncode == 2
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    made = talentbridge(source.url, "org", "create", "--kind", "officer", "--name", "After")
    assert made.returncode == 0 and counts(source.url)["organisations"] == 1
    forced = talentbridge(source.url, "restore", "--from", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert counts(source.url)["organisations"] == 0  # what the backup held

    other = tmp_path / "nonsense.backup"
    other.write_bytes(b"not a backup at all")
    wrong = talentbridge(empty(), "restore", "--from", str(other))
    assert wrong.returncode == 2 and "not a talentbridge backup" in wrong.stderr
