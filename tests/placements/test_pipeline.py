import pytest

STAGES = ["interviewing", "offered", "visa_processing", "placed"]


@pytest.fixture
def parties(api):
    institute, employer = api.org("institute"), api.org("employer")
    candidate = api.candidate(institute)
    vacancy = api.vacancy(employer, openings=1)
    return institute, employer, candidate, vacancy


def _shortlist(api, employer, vacancy, candidate):
    return api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": candidate["id"]},
        headers=api.auth(employer),
    )


def _move(api, org, placement_id, status, reason=None):
    return api.client.patch(
        f"/api/v1/placements/{placement_id}",
        json={"status": status, "reason": reason},
        headers=api.auth(org),
    )


def test_full_pipeline_with_history(api, parties):
    institute, employer, candidate, vacancy = parties
    created = _shortlist(api, employer, vacancy, candidate)
    assert created.status_code == 201 and created.json()["status"] == "shortlisted"
    placement_id = created.json()["id"]
    for stage in STAGES:
        response = _move(api, employer, placement_id, stage, reason=f"to {stage}")
        assert response.status_code == 200, response.text
    final = response.json()
    assert final["status"] == "placed" and final["placed_on"]
    assert [e["to_status"] for e in final["history"]] == ["shortlisted", *STAGES]
    assert final["history"][-1]["reason"] == "to placed"
    assert final["history"][-1]["organisation_id"] == int(employer["id"])
    vacancy_now = api.client.get(f"/api/v1/vacancies/{vacancy['id']}", headers=api.auth(employer))
    assert vacancy_now.json()["placed_count"] == 1
    listed = api.client.get("/api/v1/placements", headers=api.auth(institute)).json()
    assert [p["id"] for p in listed["items"]] == [placement_id]


@pytest.mark.parametrize("start", ["shortlisted", "interviewing", "offered", "visa_processing"])
def test_reject_and_withdraw_from_every_open_stage(api, parties, start):
    institute, employer, candidate, vacancy = parties
    placement_id = _shortlist(api, employer, vacancy, candidate).json()["id"]
    for stage in STAGES[: ["shortlisted", *STAGES].index(start)]:
        assert _move(api, employer, placement_id, stage).status_code == 200
    refused = _move(api, institute, placement_id, "rejected")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("an institute cannot move")
    refused = _move(api, employer, placement_id, "withdrawn")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("an employer cannot move")
    assert _move(api, institute, placement_id, "withdrawn").status_code == 200
    closed = _move(api, employer, placement_id, "interviewing")
    assert closed.status_code == 409 and "withdrawn" in closed.json()["detail"]


def test_illegal_transitions_are_409(api, parties):
    _, employer, candidate, vacancy = parties
    placement_id = _shortlist(api, employer, vacancy, candidate).json()["id"]
    skip = _move(api, employer, placement_id, "placed")
    assert skip.status_code == 409
    assert "interviewing" in skip.json()["detail"]
    assert _move(api, employer, placement_id, "rejected").status_code == 200
    assert _move(api, employer, placement_id, "interviewing").status_code == 409


def test_others_and_officers_cannot_move(api, parties):
    _, employer, candidate, vacancy = parties
    placement_id = _shortlist(api, employer, vacancy, candidate).json()["id"]
    assert _move(api, api.org("employer"), placement_id, "interviewing").status_code == 404
    assert _move(api, api.org("institute"), placement_id, "withdrawn").status_code == 404
    assert _move(api, api.org("officer"), placement_id, "interviewing").status_code == 403


def test_no_consent_and_no_such_candidate_answer_alike(api):
    """Shortlisting cannot probe ids: a person who has not consented (or is under 18) and
    a person who does not exist get the same 404 body, but for the id in it."""
    institute, employer = api.org("institute"), api.org("employer")
    private = api.candidate(institute, consent_to_share=False)
    minor = api.candidate(institute, date_of_birth="2010-01-01", guardian_consent=True)
    vacancy = api.vacancy(employer)
    answers = [
        _shortlist(api, employer, vacancy, {"id": candidate_id})
        for candidate_id in (private["id"], minor["id"], 2_000_000_000)
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    bodies = [
        {**a.json(), "detail": a.json()["detail"].replace(str(i), "N")}
        for a, i in zip(answers, (private["id"], minor["id"], 2_000_000_000), strict=True)
    ]
    assert (
        bodies[0]
        == bodies[1]
        == bodies[2]
        == {
            "detail": "candidate N not found",
            "field": "candidate_id",
        }
    )


def test_placed_candidate_and_full_vacancy_are_409(api, parties):
    institute, employer, candidate, vacancy = parties
    placement_id = _shortlist(api, employer, vacancy, candidate).json()["id"]
    for stage in STAGES:
        _move(api, employer, placement_id, stage)
    other_vacancy = api.vacancy(employer)
    again = _shortlist(api, employer, other_vacancy, candidate)
    assert again.status_code == 409 and "already placed" in again.json()["detail"]
    full = _shortlist(api, employer, vacancy, api.candidate(institute))
    assert full.status_code == 409 and "openings" in full.json()["detail"]


def test_erasure_keeps_an_anonymised_placement(api, parties):
    institute, employer, candidate, vacancy = parties
    placement_id = _shortlist(api, employer, vacancy, candidate).json()["id"]
    for stage in STAGES:
        _move(api, employer, placement_id, stage)
    assert (
        api.client.delete(
            f"/api/v1/candidates/{candidate['id']}", headers=api.auth(institute)
        ).status_code
        == 204
    )
    row = api.client.get(f"/api/v1/placements/{placement_id}", headers=api.auth(employer)).json()
    assert row["candidate_id"] is None and row["candidate_erased"] is True
    assert row["status"] == "placed" and row["state"] == "Uttar Pradesh"
