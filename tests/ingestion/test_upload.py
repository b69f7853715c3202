import io
from datetime import date
from pathlib import Path

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
        (4, "sector"),  # the spreadsheet's own rows: the header is row 1
        (5, "date_of_birth"),
        (6, "external_id"),
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
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(3, "full_name")]


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "candidates.csv"


def _post_file(api, institute, name, data, media):
    return api.client.post(
        "/api/v1/candidates/bulk", files={"file": (name, data, media)}, headers=api.auth(institute)
    )


def test_the_readmes_example_file_uploads_as_a_form_file(api):
    institute = api.org("institute", state="Tamil Nadu")
    response = _post_file(api, institute, "candidates.csv", EXAMPLE.read_bytes(), "text/csv")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "errors": [],
        "job_id": response.json()["job_id"],
    }
    listed = api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["items"]
    ravi = next(c for c in listed if c["external_id"] == "CKC-2026-002")
    assert ravi["skills"] == ["erect scaffolding", "read plans"]
    assert ravi["jft_basic_passed"] is True and ravi["japanese_level"] is None
    assert ravi["available_from"] == "2026-12-01" and ravi["experience_years"] == 5
    meena = next(c for c in listed if c["external_id"] == "CKC-2026-003")
    assert meena["state"] == "Tamil Nadu" and meena["consent_to_share"] is False
    # The same file again, as some tools send it (no type given): nothing new.
    again = _post_file(api, institute, "candidates.csv", EXAMPLE.read_bytes(), None).json()
    assert again["unchanged"] == 4 and again["created"] == 0


def test_an_excel_sheet_uploads_with_dates_and_boolean_cells(api):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["external_id", "full_name", "date_of_birth", "sector", "skill_test_passed"])
    sheet.append(["X1", "Lakshmi Iyer", date(1997, 3, 4), "care", True])
    sheet.append([None, None, None, None, None])  # an empty row, as spreadsheets leave them
    sheet.append(["X2", "Gopal Rao", "not a date", "care", False])
    buffer = io.BytesIO()
    book.save(buffer)
    institute = api.org("institute")
    response = _post_file(
        api,
        institute,
        "people.xlsx",
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["created"] == 1
    # the sheet's own row 4: the empty row 3 is skipped but keeps its number
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(4, "date_of_birth")]
    [lakshmi] = api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["items"]
    assert lakshmi["date_of_birth"] == "1997-03-04" and lakshmi["skill_test_passed"] is True


def test_bad_form_uploads_are_422_naming_the_field(api):
    institute = api.org("institute")
    not_excel = _post_file(api, institute, "people.xlsx", b"not a workbook", None)
    assert not_excel.status_code == 422
    assert not_excel.json() == {
        "detail": "the file is not an Excel .xlsx workbook",
        "field": "file",
    }
    pdf = _post_file(api, institute, "people.pdf", b"%PDF-1.4", "application/pdf")
    assert pdf.status_code == 422 and pdf.json()["field"] == "file"
    no_file = api.client.post(
        "/api/v1/candidates/bulk",
        data={"a": "1", "b": "2"},
        files={"x": ("a.csv", b"x", "text/csv")},
        headers=api.auth(institute),
    )
    assert no_file.status_code == 422 and no_file.json()["field"] == "file"
    xml = api.client.post(
        "/api/v1/candidates/bulk",
        content=b"x",
        headers={**api.auth(institute), "Content-Type": "application/xml"},
    )
    assert xml.json()["field"] == "Content-Type"
    assert "multipart/form-data" in xml.json()["detail"]
