"""Strict input at the edge: booleans, text, dates, CSV headers and deep JSON."""

from datetime import date

import pytest

from tests.conftest import candidate_body, vacancy_body


def _post(api, org, body, path="/api/v1/candidates"):
    return api.client.post(path, json=body, headers=api.auth(org))


def _years_ago(years: int, days: int = 0) -> str:
    today = date.today()
    born = today.replace(year=today.year - years, day=min(today.day, 28))
    return date.fromordinal(born.toordinal() + days).isoformat()


@pytest.mark.parametrize(
    "field,value",
    [
        ("consent_to_share", "yes"),
        ("consent_to_share", 1),
        ("skill_test_passed", "true"),
        ("jft_basic_passed", 0),
        ("guardian_consent", "no"),
        ("full_name", "\u200b\u200b\u200b"),  # only zero-width spaces
        ("full_name", "\u2060\ufeff"),  # word joiner and BOM: invisible
        ("full_name", "Asha \u202eamreV"),  # a right-to-left override
        ("full_name", "Asha\u2066 Verma"),  # an isolate
        ("full_name", "Asha\nVerma"),
        ("job_title", "care\tworker"),
        ("external_id", "C-\x1b[31m"),
        ("skills", ["feeding\u202d"]),
        ("summary", "bell \x07"),
        ("summary", "\u200b \u200c"),
        ("date_of_birth", _years_ago(14)),  # under 15 today
        ("date_of_birth", _years_ago(71, -1)),  # over 70 today
        ("date_of_birth", "0001-01-01"),
        ("date_of_birth", _years_ago(16)),  # a minor without guardian_consent
        ("available_from", "1999-12-31"),
        ("available_from", "2101-01-01"),
    ],
)
def test_sloppy_candidate_input_is_422_naming_the_field(api, field, value):
    response = _post(api, api.org("institute"), candidate_body(**{field: value}))
    assert response.status_code == 422, (field, value, response.text)
    assert response.json()["field"].split(".")[0] == field


def test_reasonable_text_and_dates_are_kept(api):
    institute = api.org("institute")
    body = candidate_body(
        full_name="Zoë D'Souza-Nāyar",
        summary="Two lines:\nfirst\tand second.",
        date_of_birth=_years_ago(16),
        guardian_consent=True,
        available_from="2000-01-01",
    )
    created = _post(api, institute, body)
    assert created.status_code == 201, created.text
    assert created.json()["summary"] == "Two lines:\nfirst\tand second."
    assert created.json()["guardian_consent"] is True
    # Changing the birth date to a minor's needs guardian consent already recorded.
    other = api.candidate(institute)
    response = api.client.patch(
        f"/api/v1/candidates/{other['id']}",
        json={"date_of_birth": _years_ago(17)},
        headers=api.auth(institute),
    )
    assert response.status_code == 422 and response.json()["field"] == "date_of_birth"
    response = api.client.patch(
        f"/api/v1/candidates/{created.json()['id']}",
        json={"guardian_consent": False},
        headers=api.auth(institute),
    )
    assert response.status_code == 422 and response.json()["field"] == "guardian_consent"


@pytest.mark.parametrize(
    "field,value",
    [
        ("start_date", "0001-01-01"),
        ("start_date", "1999-12-31"),
        ("start_date", "2101-01-01"),
        ("requires_skill_test", "yes"),
        ("requires_skill_test", 1),
        ("title", "\u200b"),
        ("title", "carer\u202e"),
        ("description", "ok\x00"),
    ],
)
def test_sloppy_vacancy_input_is_422_naming_the_field(api, field, value):
    response = _post(api, api.org("employer"), vacancy_body(**{field: value}), "/api/v1/vacancies")
    assert response.status_code == 422, (field, value, response.text)
    assert response.json()["field"] == field


def test_a_year_one_vacancy_cannot_break_anyone_elses_matches(api):
    """The sequence from the issue: one employer sends 0001-01-01, others still match."""
    institute, careless, other = api.org("institute"), api.org("employer"), api.org("employer")
    api.candidate(institute)
    bad = _post(api, careless, vacancy_body(start_date="0001-01-01"), "/api/v1/vacancies")
    assert bad.status_code == 422 and bad.json()["field"] == "start_date"
    mine = api.vacancy(careless)
    edit = api.client.patch(
        f"/api/v1/vacancies/{mine['id']}",
        json={"start_date": "0001-01-01"},
        headers=api.auth(careless),
    )
    assert edit.status_code == 422 and edit.json()["field"] == "start_date"
    vacancy = api.vacancy(other)
    response = api.client.get(f"/api/v1/vacancies/{vacancy['id']}/matches", headers=api.auth(other))
    assert response.status_code == 200 and len(response.json()["items"]) == 1


def _csv(api, institute, text):
    return api.client.post(
        "/api/v1/candidates/bulk",
        content=text.encode(),
        headers={**api.auth(institute), "Content-Type": "text/csv"},
    )


def test_a_csv_without_a_header_row_is_refused_naming_the_columns(api):
    institute = api.org("institute")
    response = _csv(api, institute, "A1,Ravi Kumar,1995-02-01,construction\n")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "header"
    for named in ("'A1'", "'Ravi Kumar'", "'1995-02-01'", "'construction'"):
        assert named in body["detail"]
    for column in ("external_id", "full_name", "date_of_birth", "sector"):
        assert column in body["detail"].split("missing required columns: ")[1]


def test_a_duplicated_or_unknown_csv_column_is_refused(api):
    institute = api.org("institute")
    text = (
        "external_id,full_name,date_of_birth,sector,sector,nickname\nA1,R,1995-02-01,care,care,x\n"
    )
    response = _csv(api, institute, text)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "duplicated columns: sector" in detail and "unknown columns: 'nickname'" in detail
    listed = api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()
    assert listed["total"] == 0


def test_csv_booleans_are_true_false_yes_no_1_or_0_and_nothing_else(api):
    institute = api.org("institute")
    text = (
        "external_id,full_name,date_of_birth,sector,consent_to_share\n"
        "A1,Ravi Kumar,1995-02-01,care,TRUE\n"
        "A2,Meena Devi,1995-02-01,care,false\n"
        "A3,Anil Das,1995-02-01,care,yes\n"
        "A4,Lata Rao,1995-02-01,care,1\n"
        "A5,Uma Sen,1995-02-01,care,No\n"
        "A6,Ajay Pal,1995-02-01,care,x\n"
        "A7,Ritu Jain,1995-02-01,care,y\n"
    )
    result = _csv(api, institute, text).json()
    assert result["created"] == 5
    assert {(e["row"], e["field"]) for e in result["errors"]} == {
        (7, "consent_to_share"),
        (8, "consent_to_share"),
    }
    message = result["errors"][0]["message"]
    assert "true or false" in message and "yes or no, 1 or 0" in message and "'x'" in message
    listed = api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["items"]
    consent = {c["external_id"]: c["consent_to_share"] for c in listed}
    assert consent == {"A1": True, "A2": False, "A3": True, "A4": True, "A5": False}


def test_json_bulk_booleans_are_strict(api):
    institute = api.org("institute")
    response = api.client.post(
        "/api/v1/candidates/bulk",
        json=[candidate_body(consent_to_share="yes"), candidate_body()],
        headers=api.auth(institute),
    )
    result = response.json()
    assert result["created"] == 1
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(1, "consent_to_share")]


@pytest.mark.parametrize(
    "path", ["/api/v1/candidates/bulk", "/api/v1/candidates", "/api/v1/placements"]
)
def test_json_too_deep_for_the_parser_is_a_client_error(api, path):
    institute = api.org("institute")
    deep = "[" * 100_000 + "]" * 100_000
    response = api.client.post(
        path,
        content=deep.encode(),
        headers={**api.auth(institute), "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.text
    assert response.json()["field"] == "body"
