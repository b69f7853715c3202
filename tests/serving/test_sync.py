"""The match index follows the database: bulk-loaded rows, late commits, bad records."""

from datetime import date

import numpy as np
import pytest
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from talentbridge import migrate
from talentbridge.candidates.models import Candidate
from talentbridge.config import DEFAULT_MODEL
from talentbridge.matching.embedder import stored_model_name
from talentbridge.organisations.models import Organisation
from tests.conftest import make_database, vacancy_body
from tests.serving.live import live_server


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_db(request, tmp_path):
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def _institute(db) -> int:
    with Session(db.engine) as session, session.begin():
        institute = Organisation(kind="institute", name="Bulk", state="Gujarat")
        session.add(institute)
        session.flush()
        return institute.id


SERVED_MODEL = stored_model_name(DEFAULT_MODEL, "onnx-int8")  # what the servers here run


def _people(institute_id: int, count: int, start: int = 0, model: str = SERVED_MODEL):
    rng = np.random.default_rng(start)
    vectors = rng.standard_normal((count, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for i in range(count):
        yield {
            "institute_id": institute_id,
            "external_id": f"X{start + i}",
            "full_name": "Bulk Person",
            "date_of_birth": date(1996, 5, 1),
            "state": "Gujarat",
            "sector": "care",
            "job_title": "care worker",
            "skills": [],
            "experience_years": 2.0,
            "japanese_level": "N4",
            "jft_basic_passed": False,
            "skill_test_passed": True,
            "care_language_test_passed": True,
            "preferred_prefectures": [],
            "consent_to_share": True,
            "embedding": vectors[i].tobytes(),
            "embedding_model": model,
        }


def test_more_than_65535_candidates_still_match(committed_db, tools):
    """Loaded behind the API in one transaction: 66,000 changes reach the index at once."""
    institute_id = _institute(committed_db)
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        employer = server.org("employer")
        with server.client(headers=employer) as client:
            vacancy = client.post("/api/v1/vacancies", json=vacancy_body()).json()
            with committed_db.engine.begin() as connection:
                connection.execute(insert(Candidate), list(_people(institute_id, 66_000)))
            matches = client.get(f"/api/v1/vacancies/{vacancy['id']}/matches?limit=50")
            assert matches.status_code == 200, matches.text
            assert len(matches.json()["items"]) == 50
            assert client.get("/health").json()["index"]["candidates"] == 66_000


def test_a_commit_that_lands_after_a_later_one_is_still_seen(tmp_path, tools):
    """PostgreSQL hands out seqs at insert but commits in any order."""
    db = make_database("postgresql", tmp_path)
    try:
        migrate.upgrade(db.url)
        institute_id = _institute(db)
        with live_server(db.url, tools, inprocess_worker=False) as server:
            employer = server.org("employer")
            with server.client(headers=employer) as client:
                vacancy = client.post("/api/v1/vacancies", json=vacancy_body()).json()

            def matched():
                with server.client(headers=employer) as client:
                    url = f"/api/v1/vacancies/{vacancy['id']}/matches"
                    return {m["candidate_id"] for m in client.get(url).json()["items"]}

            slow = db.engine.connect()
            slow_tx = slow.begin()
            slow.execute(insert(Candidate), list(_people(institute_id, 1, start=1)))
            with db.engine.begin() as fast:
                fast.execute(insert(Candidate), list(_people(institute_id, 1, start=2)))
            assert len(matched()) == 1  # the fast one; the slow one's seq is a gap
            slow_tx.commit()
            slow.close()
            assert len(matched()) == 2
    finally:
        db.drop()


def test_one_bad_record_does_not_break_matching_for_everyone(committed_db, tools):
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        employer, other = server.org("employer"), server.org("employer")
        with server.client(headers=employer) as client:
            bad = client.post("/api/v1/vacancies", json=vacancy_body()).json()
        with server.client(headers=other) as client:
            good = client.post("/api/v1/vacancies", json=vacancy_body()).json()
        # Stored behind the API's back, as an old version or a manual fix might.
        with committed_db.engine.begin() as connection:
            connection.execute(
                text("UPDATE vacancies SET start_date = :d WHERE id = :id"),
                {"d": date(1, 1, 1), "id": bad["id"]},
            )
        with server.client(headers=other) as client:
            assert client.get(f"/api/v1/vacancies/{good['id']}/matches").status_code == 200
            health = client.get("/health").json()["index"]
        assert [(s["entity"], s["id"]) for s in health["skipped"]] == [("vacancy", bad["id"])]
        with server.client(headers=employer) as client:
            own = client.get(f"/api/v1/vacancies/{bad['id']}/matches")
        assert own.status_code == 422
        with server.client(headers=employer) as client:
            fixed = client.patch(
                f"/api/v1/vacancies/{bad['id']}", json={"start_date": "2027-01-01"}
            )
            assert fixed.status_code == 200
            assert client.get(f"/api/v1/vacancies/{bad['id']}/matches").status_code == 200
            assert client.get("/health").json()["index"]["skipped"] == []


def test_deleted_and_changed_records_leave_the_index(committed_db, tools):
    institute_id = _institute(committed_db)
    with committed_db.engine.begin() as connection:
        connection.execute(insert(Candidate), list(_people(institute_id, 3)))
    with live_server(committed_db.url, tools, inprocess_worker=False) as server:
        employer = server.org("employer")
        with server.client(headers=employer) as client:
            vacancy = client.post("/api/v1/vacancies", json=vacancy_body()).json()
            url = f"/api/v1/vacancies/{vacancy['id']}/matches"
            assert len(client.get(url).json()["items"]) == 3
            with committed_db.engine.begin() as connection:
                connection.execute(text("DELETE FROM candidates WHERE external_id = 'X0'"))
                connection.execute(
                    text("UPDATE candidates SET consent_to_share = :f WHERE external_id = 'X1'"),
                    {"f": False},
                )
            assert len(client.get(url).json()["items"]) == 1
            assert client.get("/health").json()["index"]["candidates"] == 2
