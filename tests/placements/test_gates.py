"""The SSW gates hold at every pipeline step; officers may record exceptions, counted."""

import pytest


def _shortlist(api, employer, vacancy, candidate):
    return api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": candidate["id"]},
        headers=api.auth(employer),
    )


def _move(api, org, placement_id, status):
    return api.client.patch(
        f"/api/v1/placements/{placement_id}", json={"status": status}, headers=api.auth(org)
    )


def _override(api, org, vacancy, candidate, gates, reason="completed TITP (ii) in care, exempt"):
    return api.client.post(
        "/api/v1/placements/overrides",
        json={
            "vacancy_id": vacancy["id"],
            "candidate_id": candidate["id"],
            "gates": gates,
            "reason": reason,
        },
        headers=api.auth(org),
    )


def test_untested_construction_worker_cannot_be_shortlisted_for_care(api):
    """The case from the issue: construction, no skills test, into a care vacancy."""
    institute, employer = api.org("institute"), api.org("employer")
    builder = api.candidate(
        institute,
        sector="construction",
        job_title="scaffolder",
        skill_test_passed=False,
        care_language_test_passed=False,
    )
    response = _shortlist(api, employer, api.vacancy(employer, sector="care"), builder)
    assert response.status_code == 409
    body = response.json()
    assert body["field"] == "gates"
    for gate in ("sector", "skill_test", "care_language_test"):
        assert gate in body["detail"]
    assert "japanese_level" not in body["detail"]


def test_every_forward_move_rechecks_the_gates(api):
    institute, employer = api.org("institute"), api.org("employer")
    person = api.candidate(institute)
    vacancy = api.vacancy(employer)
    placement = _shortlist(api, employer, vacancy, person).json()
    assert _move(api, employer, placement["id"], "interviewing").status_code == 200
    # The vacancy now asks for more Japanese than the person has.
    api.client.patch(
        f"/api/v1/vacancies/{vacancy['id']}",
        json={"min_japanese_level": "N2"},
        headers=api.auth(employer),
    )
    refused = _move(api, employer, placement["id"], "offered")
    assert refused.status_code == 409 and "japanese_level" in refused.json()["detail"]
    # Leaving the pipeline is never blocked by a gate.
    assert _move(api, employer, placement["id"], "rejected").status_code == 200


def test_consent_withdrawn_mid_pipeline_stops_forward_moves(api):
    institute, employer = api.org("institute"), api.org("employer")
    person = api.candidate(institute)
    placement = _shortlist(api, employer, api.vacancy(employer), person).json()
    api.client.patch(
        f"/api/v1/candidates/{person['id']}",
        json={"consent_to_share": False},
        headers=api.auth(institute),
    )
    refused = _move(api, employer, placement["id"], "interviewing")
    assert refused.status_code == 409 and "consent" in refused.json()["detail"]
    assert _move(api, institute, placement["id"], "withdrawn").status_code == 200


def test_an_officer_override_lets_a_step_pass_and_the_report_counts_it(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    exempt = api.candidate(institute, skill_test_passed=False)
    normal = api.candidate(institute)
    vacancy = api.vacancy(employer, openings=2)
    assert _shortlist(api, employer, vacancy, exempt).status_code == 409

    assert _override(api, employer, vacancy, exempt, ["skill_test"]).status_code == 403
    never = _override(api, officer, vacancy, exempt, ["age", "skill_test"])
    assert never.status_code == 422 and never.json()["field"] == "gates"
    assert "age" in never.json()["detail"]
    short = _override(api, officer, vacancy, exempt, ["skill_test"], reason="ok")
    assert short.status_code == 422 and short.json()["field"] == "reason"
    recorded = _override(api, officer, vacancy, exempt, ["skill_test"])
    assert recorded.status_code == 201
    assert recorded.json()["gates"] == ["skill_test"]
    assert recorded.json()["officer_id"] == int(officer["id"])

    first = _shortlist(api, employer, vacancy, exempt)
    assert first.status_code == 201 and first.json()["under_override"] is True
    second = _shortlist(api, employer, vacancy, normal).json()
    assert second["under_override"] is False
    for stage in ("interviewing", "offered", "visa_processing", "placed"):
        assert _move(api, employer, first.json()["id"], stage).status_code == 200
        assert _move(api, employer, second["id"], stage).status_code == 200
    report = api.client.get("/api/v1/reports/progress", headers=api.auth(officer)).json()
    assert report["placed"] == 2 and report["placed_under_override"] == 1
    mine = api.client.get("/api/v1/reports/progress", headers=api.auth(employer)).json()
    assert mine["placed_under_override"] == 1
    csv = api.client.get("/api/v1/reports/progress.csv", headers=api.auth(officer)).text
    assert "placed_under_override,1" in csv.splitlines()


@pytest.mark.parametrize("gate", ["japanese_level", "availability"])
def test_an_override_covers_only_its_gates(api, gate):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    person = api.candidate(
        institute, skill_test_passed=False, japanese_level="N5", available_from="2030-01-01"
    )
    vacancy = api.vacancy(employer)
    _override(api, officer, vacancy, person, ["skill_test", gate])
    refused = _shortlist(api, employer, vacancy, person)
    assert refused.status_code == 409
    other = {"japanese_level": "availability", "availability": "japanese_level"}[gate]
    assert other in refused.json()["detail"] and "skill_test" not in refused.json()["detail"]
