"""A PATCH with null for a field a record always has is a 422 naming it, never a 500 or a
409 (issue 22: `skills: null` answered 500, `experience_years: null` a 409 "conflict")."""

import pytest

from talentbridge.candidates.schemas import CandidateRead, CandidateUpdate
from talentbridge.crud import non_nullable
from talentbridge.vacancies.schemas import VacancyRead, VacancyUpdate

CANDIDATE_FIELDS = sorted(non_nullable(CandidateRead) & set(CandidateUpdate.model_fields))
VACANCY_FIELDS = sorted(non_nullable(VacancyRead) & set(VacancyUpdate.model_fields))


def test_the_fields_named_in_the_issue_are_covered():
    assert {"skills", "preferred_prefectures", "experience_years"} <= set(CANDIDATE_FIELDS)
    assert "required_skills" in VACANCY_FIELDS


@pytest.mark.parametrize("name", CANDIDATE_FIELDS)
def test_null_for_a_candidate_field_it_always_has_is_422_naming_it(api, name):
    institute = api.org("institute")
    candidate = api.candidate(institute)
    response = api.client.patch(
        f"/api/v1/candidates/{candidate['id']}", json={name: None}, headers=api.auth(institute)
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == name
    after = api.client.get(f"/api/v1/candidates/{candidate['id']}", headers=api.auth(institute))
    assert after.json()[name] == candidate[name]


@pytest.mark.parametrize("name", VACANCY_FIELDS)
def test_null_for_a_vacancy_field_it_always_has_is_422_naming_it(api, name):
    employer = api.org("employer")
    vacancy = api.vacancy(employer)
    response = api.client.patch(
        f"/api/v1/vacancies/{vacancy['id']}", json={name: None}, headers=api.auth(employer)
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == name


def test_null_for_a_field_that_may_be_empty_still_clears_it(api):
    institute = api.org("institute")
    candidate = api.candidate(institute, job_title="care worker", summary="Some words.")
    response = api.client.patch(
        f"/api/v1/candidates/{candidate['id']}",
        json={"summary": None, "japanese_level": None},
        headers=api.auth(institute),
    )
    assert response.status_code == 200, response.text
    assert response.json()["summary"] is None and response.json()["japanese_level"] is None
