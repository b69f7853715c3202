HEADER = (
    "external_id,full_name,date_of_birth,sector,job_title,skills,japanese_level,"
    "skill_test_passed,care_language_test_passed,consent_to_share,preferred_prefectures\n"
)


def _post_csv(api, institute, text):
    return api.client.post(
        "/api/v1/candidates/bulk",
        content=text.encode(),
        headers={**api.auth(institute), "Content-Type": "text/csv"},
    )


def test_csv_stores_good_rows_and_reports_bad_ones(api):
    institute = api.org("institute")
    text = HEADER + (
        "A1,Ravi Kumar,1995-02-01,construction,scaffolder,erect scaffolding;read plans,N4,"
        "true,false,true,Yamanashi;Tokyo\n"
        "A2,Meena Devi,1999-07-30,care,care assistant,feed patients,N3,true,true,true,\n"
        "A3,Bad Sector,1999-07-30,fishing,deckhand,,N4,true,true,true,\n"
        "A4,Bad Date,not-a-date,care,carer,,N4,true,true,true,\n"
        "A1,Duplicate,1995-02-01,care,carer,,N4,true,true,true,\n"
    )
    result = _post_csv(api, institute, text).json()
    assert result["created"] == 2 and result["failed"] == 3
    assert {(e["row"], e["field"]) for e in result["errors"]} == {
        (3, "sector"),
        (4, "date_of_birth"),
        (5, "external_id"),
    }
    listed = api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["items"]
    ravi = next(c for c in listed if c["external_id"] == "A1")
    assert ravi["skills"] == ["erect scaffolding", "read plans"]
    assert ravi["preferred_prefectures"] == ["Yamanashi", "Tokyo"]
    assert ravi["skill_test_passed"] is True and ravi["care_language_test_passed"] is False

    again = _post_csv(api, institute, text).json()
    assert again["created"] == 0 and again["unchanged"] == 2
    assert api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["total"] == 2


def test_json_upserts_by_external_id(api):
    institute = api.org("institute")
    rows = [
        {
            "external_id": "J1",
            "full_name": "Anil",
            "date_of_birth": "1990-01-01",
            "sector": "agriculture",
            "job_title": "farm worker",
        },
        {
            "external_id": "J2",
            "full_name": "",
            "date_of_birth": "1990-01-01",
            "sector": "agriculture",
        },
        "not an object",
    ]
    first = api.client.post(
        "/api/v1/candidates/bulk", json=rows, headers=api.auth(institute)
    ).json()
    assert first["created"] == 1 and first["failed"] == 2
    assert {e["row"] for e in first["errors"]} == {2, 3}
    rows[0]["job_title"] = "crop farm worker"
    second = api.client.post(
        "/api/v1/candidates/bulk", json=rows[:1], headers=api.auth(institute)
    ).json()
    assert second["updated"] == 1 and second["created"] == 0


def test_malformed_bodies_are_4xx(api):
    institute = api.org("institute")
    headers = api.auth(institute)
    assert (
        api.client.post(
            "/api/v1/candidates/bulk",
            content=b"{not json",
            headers={**headers, "Content-Type": "application/json"},
        ).status_code
        == 422
    )
    assert (
        api.client.post("/api/v1/candidates/bulk", json={"a": 1}, headers=headers).status_code
        == 422
    )
    assert (
        api.client.post(
            "/api/v1/candidates/bulk",
            content=b"\xff\xfe",
            headers={**headers, "Content-Type": "text/csv"},
        ).status_code
        == 422
    )
    assert (
        api.client.post(
            "/api/v1/candidates/bulk",
            content=b"x",
            headers={**headers, "Content-Type": "application/xml"},
        ).status_code
        == 422
    )


def test_a_nul_in_a_csv_row_is_that_rows_error(api):
    institute = api.org("institute")
    good = "G1,Asha Rao,1996-04-02,care,care worker,bathing,N4,true,true,true,Tokyo\n"
    bad = "G2,Ravi\x00 Kumar,1995-01-01,care,care worker,,N4,true,true,true,\n"
    response = _post_csv(api, institute, HEADER + good + bad)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["created"] == 1
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(2, "full_name")]
