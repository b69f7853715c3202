"""`talentbridge serve --workers 2` on PostgreSQL: two processes, one consistent service."""

import httpx

from talentbridge import migrate
from talentbridge.benchmarks.seed import ADMIN_TOKEN, Server
from tests.conftest import candidate_body, make_database, vacancy_body


def _org(base: str, kind: str, **place: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/organisations",
        json={"kind": kind, "name": f"{kind} of two", **place},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['api_key']}"}


def test_two_server_processes_stay_consistent(tmp_path):
    db = make_database("postgresql", tmp_path)
    server = None
    try:
        migrate.upgrade(db.url)
        server = Server(db.url, workers=2, inprocess_worker="false")
        base = server.base
        institute = _org(base, "institute", state="Gujarat")
        employer = _org(base, "employer", prefecture="Shizuoka")
        vacancy = httpx.post(f"{base}/api/v1/vacancies", json=vacancy_body(), headers=employer)
        person = httpx.post(f"{base}/api/v1/candidates", json=candidate_body(), headers=institute)
        assert vacancy.status_code == person.status_code == 201
        matches = f"{base}/api/v1/vacancies/{vacancy.json()['id']}/matches"

        processes, seen = set(), []
        for _ in range(200):  # a new connection each time: either process may answer
            processes.add(httpx.get(f"{base}/health").json()["process"])
            seen.append(
                [m["candidate_id"] for m in httpx.get(matches, headers=employer).json()["items"]]
            )
            if len(processes) == 2 and len(seen) >= 20:
                break
        assert len(processes) == 2
        assert all(ids == [person.json()["id"]] for ids in seen)

        withdrawn = httpx.patch(
            f"{base}/api/v1/candidates/{person.json()['id']}",
            json={"consent_to_share": False},
            headers=institute,
        )
        assert withdrawn.status_code == 200
        for _ in range(20):
            assert httpx.get(matches, headers=employer).json()["items"] == []
    finally:
        if server is not None:
            server.stop()
        db.drop()
