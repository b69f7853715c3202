"""Auth and tenancy: 401 without a key, 403 for the wrong kind, 404 for others' records."""

import pytest

from tests.conftest import ADMIN


def test_creating_organisations_needs_the_admin_token(client):
    body = {"kind": "institute", "name": "Lucknow Skills Centre", "state": "UP"}
    assert client.post("/api/v1/organisations", json=body).status_code == 401
    wrong = client.post("/api/v1/organisations", json=body, headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    ok = client.post(
        "/api/v1/organisations", json=body, headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert ok.status_code == 201
    assert ok.json()["api_key"].startswith("tb_")


def test_institute_needs_a_valid_state(client):
    response = client.post(
        "/api/v1/organisations",
        json={"kind": "institute", "name": "X", "state": "Atlantis"},
        headers={"Authorization": f"Bearer {ADMIN}"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "state"


def test_missing_or_unknown_key_is_401(client):
    assert client.get("/api/v1/candidates").status_code == 401
    response = client.get("/api/v1/candidates", headers={"Authorization": "Bearer tb_nope"})
    assert response.status_code == 401
    assert "API key" in response.json()["detail"]


def test_wrong_kind_of_organisation_is_403(api):
    employer = api.org("employer")
    institute = api.org("institute")
    assert (
        api.client.post("/api/v1/candidates", json={}, headers=api.auth(employer)).status_code
        == 403
    )
    assert (
        api.client.post("/api/v1/vacancies", json={}, headers=api.auth(institute)).status_code
        == 403
    )


def test_another_institutes_candidate_is_404(api):
    mine, theirs = api.org("institute"), api.org("institute", state="Gujarat")
    candidate = api.candidate(theirs)
    path = f"/api/v1/candidates/{candidate['id']}"
    assert api.client.get(path, headers=api.auth(mine)).status_code == 404
    assert (
        api.client.patch(path, json={"full_name": "X"}, headers=api.auth(mine)).status_code == 404
    )
    assert api.client.delete(path, headers=api.auth(mine)).status_code == 404
    assert api.client.get(path, headers=api.auth(theirs)).status_code == 200
    listed = api.client.get("/api/v1/candidates", headers=api.auth(mine)).json()
    assert candidate["id"] not in [c["id"] for c in listed["items"]]


def test_another_employers_vacancy_is_404(api):
    mine, theirs = api.org("employer"), api.org("employer", prefecture="Toyama")
    vacancy = api.vacancy(theirs)
    path = f"/api/v1/vacancies/{vacancy['id']}"
    assert api.client.get(path, headers=api.auth(mine)).status_code == 404
    assert api.client.patch(path, json={"openings": 3}, headers=api.auth(mine)).status_code == 404
    assert api.client.get(f"{path}/matches", headers=api.auth(mine)).status_code == 404


def test_officers_read_everything_and_change_nothing(api):
    officer, institute, employer = api.org("officer"), api.org("institute"), api.org("employer")
    candidate = api.candidate(institute)
    vacancy = api.vacancy(employer)
    headers = api.auth(officer)
    assert (
        api.client.get(f"/api/v1/candidates/{candidate['id']}", headers=headers).status_code == 200
    )
    assert api.client.get(f"/api/v1/vacancies/{vacancy['id']}", headers=headers).status_code == 200
    assert api.client.get("/api/v1/candidates", headers=headers).json()["total"] >= 1
    assert api.client.get("/api/v1/vacancies", headers=headers).json()["total"] >= 1
    for method, path in [
        ("patch", f"/api/v1/candidates/{candidate['id']}"),
        ("delete", f"/api/v1/candidates/{candidate['id']}"),
        ("patch", f"/api/v1/vacancies/{vacancy['id']}"),
        ("post", "/api/v1/candidates"),
        ("post", "/api/v1/vacancies"),
        ("post", "/api/v1/placements"),
    ]:
        kwargs = {} if method == "delete" else {"json": {}}
        assert getattr(api.client, method)(path, headers=headers, **kwargs).status_code == 403


@pytest.mark.parametrize("body", [b"x" * 6_000_000])
def test_oversized_bodies_are_refused(api, body):
    institute = api.org("institute")
    response = api.client.post(
        "/api/v1/candidates/bulk",
        content=body,
        headers={**api.auth(institute), "Content-Type": "text/csv"},
    )
    assert response.status_code == 413
