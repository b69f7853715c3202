"""Upload rows as users make them (issues 19 and 22): every CSV dialect, columns read from
the schema, errors by the spreadsheet's row, failed rows kept and handed back to fix."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from talentbridge.candidates.schemas import CandidateCreate
from talentbridge.fields import years_before
from talentbridge.ingestion.columns import to_text
from tests.conftest import candidate_body

HEAD = "external_id,full_name,date_of_birth,sector,summary,consent_to_share"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
ROOT = Path(__file__).resolve().parents[2]


def _post(api, institute, data: bytes, *, as_file: bool, name="people.csv", media="text/csv"):
    if as_file:
        return api.client.post(
            "/api/v1/candidates/bulk",
            files={"file": (name, data, media)},
            headers=api.auth(institute),
        )
    return api.client.post(
        "/api/v1/candidates/bulk",
        content=data,
        headers={**api.auth(institute), "Content-Type": media},
    )


def _rows(lines: list[str], newline: str) -> str:
    return newline.join(lines) + newline


DIALECTS = {
    "\\n": _rows([HEAD, "D1,Asha Rao,1996-04-02,care,,true", "D2,Ravi,1995-01-01,care,,"], "\n"),
    "\\r\\n": _rows(
        [HEAD, "D1,Asha Rao,1996-04-02,care,,true", "D2,Ravi,1995-01-01,care,,"], "\r\n"
    ),
    "\\r (old Mac)": _rows(
        [HEAD, "D1,Asha Rao,1996-04-02,care,,true", "D2,Ravi,1995-01-01,care,,"], "\r"
    ),
    "BOM": "\ufeff"
    + _rows([HEAD, "D1,Asha Rao,1996-04-02,care,,true", "D2,Ravi,1995-01-01,care,,"], "\r\n"),
    "quoted line breaks": _rows(
        [
            HEAD,
            'D1,Asha Rao,1996-04-02,care,"line one\r\nline two\rthree\nfour",true',
            "D2,Ravi,1995-01-01,care,,",
        ],
        "\r",
    ),
    "semicolons": _rows(
        [HEAD.replace(",", ";"), "D1;Asha Rao;1996-04-02;care;;true", "D2;Ravi;1995-01-01;care;;"],
        "\r\n",
    ),
    "tabs": _rows(
        [
            HEAD.replace(",", "\t"),
            "D1\tAsha Rao\t1996-04-02\tcare\t\ttrue",
            "D2\tRavi\t1995-01-01\tcare\t\t",
        ],
        "\n",
    ),
}


@pytest.mark.parametrize("as_file", [False, True], ids=["text", "file"])
@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_every_csv_dialect_users_produce_parses(api, dialect, as_file):
    institute = api.org("institute")
    response = _post(api, institute, DIALECTS[dialect].encode(), as_file=as_file)
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["failed"]) == (2, 0), response.json()
    listed = api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["items"]
    asha = next(c for c in listed if c["external_id"] == "D1")
    assert asha["consent_to_share"] is True and asha["full_name"] == "Asha Rao"
    if dialect == "quoted line breaks":
        assert asha["summary"] == "line one\r\nline two\rthree\nfour"


@pytest.mark.parametrize("as_file", [False, True], ids=["text", "file"])
def test_a_cell_over_131072_characters_is_that_rows_error(api, as_file):
    institute = api.org("institute")
    text = _rows(
        [
            HEAD,
            f"L1,Long Summary,1996-04-02,care,{'x' * 200_000},true",
            "L2,Ravi,1995-01-01,care,,",
        ],
        "\n",
    )
    response = _post(api, institute, text.encode(), as_file=as_file)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["failed"]) == (1, 1)
    assert [(e["row"], e["external_id"], e["field"]) for e in result["errors"]] == [
        (2, "L1", "summary")
    ]


def test_a_csv_that_is_not_utf8_is_a_422_naming_the_body(api):
    institute = api.org("institute")
    response = _post(
        api, institute, (HEAD + "\nD1,José,1996-04-02,care,,\n").encode("latin-1"), as_file=False
    )
    assert response.status_code == 422 and response.json()["field"] == "body"


def _sixteen() -> str:
    return years_before(date.today(), 16).isoformat()


def test_guardian_consent_comes_in_from_csv_and_excel_cells(api):
    institute = api.org("institute")
    text = _rows(
        [
            "external_id,full_name,date_of_birth,sector,guardian_consent",
            f"Y1,Young One,{_sixteen()},care,true",
            f"Y2,Young Two,{_sixteen()},care,TRUE",
            f"Y3,Young Three,{_sixteen()},Care,",
        ],
        "\n",
    )
    result = _post(api, institute, text.encode(), as_file=False).json()
    assert result["created"] == 2, result
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(4, "date_of_birth")]
    assert "guardian_consent" in result["errors"][0]["message"]

    book = Workbook()
    book.active.append(["external_id", "full_name", "date_of_birth", "sector", "guardian_consent"])
    book.active.append(["Y4", "Young Four", date.fromisoformat(_sixteen()), "CARE", True])
    buffer = io.BytesIO()
    book.save(buffer)
    excel = _post(api, institute, buffer.getvalue(), as_file=True, name="y.xlsx", media=XLSX)
    assert (excel.json()["created"], excel.json()["failed"]) == (1, 0), excel.json()
    listed = api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["items"]
    assert {c["external_id"]: c["guardian_consent"] for c in listed} == {
        "Y1": True,
        "Y2": True,
        "Y4": True,
    }
    assert {c["sector"] for c in listed} == {"care"}


def test_sector_in_any_case_in_json_too(api):
    institute = api.org("institute")
    created = api.candidate(institute, sector="Construction", job_title="scaffolder")
    assert created["sector"] == "construction"
    bulk = api.client.post(
        "/api/v1/candidates/bulk",
        json=[candidate_body(sector=" AGRICULTURE ")],
        headers=api.auth(institute),
    ).json()
    assert (bulk["created"], bulk["failed"]) == (1, 0), bulk
    refused = api.client.post(
        "/api/v1/candidates", json=candidate_body(sector="fishing"), headers=api.auth(institute)
    )
    assert refused.status_code == 422 and "care" in refused.text


def test_every_schema_column_reads_from_a_file_as_its_json_field(api):
    """No hand-kept list of columns: each field of the schema, written as text, comes back
    as the value the same field takes in JSON."""
    body = candidate_body(
        external_id="S1",
        state="Kerala",
        jft_basic_passed=True,
        skill_test_passed=True,
        care_language_test_passed=True,
        guardian_consent=True,
        experience_years=2.5,
    )
    assert set(body) == set(CandidateCreate.model_fields), "give every field a value here"
    columns = list(CandidateCreate.model_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerow([to_text(body[name]) for name in columns])
    from_file, from_json = api.org("institute"), api.org("institute")
    result = _post(api, from_file, buffer.getvalue().encode(), as_file=True).json()
    assert (result["created"], result["failed"]) == (1, 0), result
    api.candidate(from_json, **body)

    def stored(institute):
        item = api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["items"][0]
        return {name: item[name] for name in columns}

    assert stored(from_file) == stored(from_json)


def test_bad_dates_and_booleans_say_what_is_accepted(api):
    institute = api.org("institute")
    text = _rows(
        [
            HEAD,
            "B1,Bad Date,12/05/1998,care,,true",
            "B2,Bad Bool,1998-05-01,care,,maybe",
            "B3,Bad Sector,1998-05-01,fishing,,true",
        ],
        "\n",
    )
    errors = _post(api, institute, text.encode(), as_file=False).json()["errors"]
    by_row = {e["row"]: e for e in errors}
    assert by_row[2]["message"] == "Enter a date like 1998-05-01 (YYYY-MM-DD), not '12/05/1998'"
    assert "true or false" in by_row[3]["message"] and "yes or no" in by_row[3]["message"]
    assert "'care'" in by_row[4]["message"] and "'agriculture'" in by_row[4]["message"]
    assert [(e["row"], e["external_id"], e["field"]) for e in errors] == [
        (2, "B1", "date_of_birth"),
        (3, "B2", "consent_to_share"),
        (4, "B3", "sector"),
    ]


FAILING = _rows(
    [
        HEAD + ",skills",
        "F1,Good One,1996-04-02,care,,true,feed patients",
        ",No Id,1996-04-02,care,,true,",
        'F3,Bad Date,12/05/1998,care,=HYPERLINK("http://x";"click"),true,@SUM(1+1)',
        "",
        'F5,Bad Bool,1998-05-01,care,"two\nlines",perhaps,-cmd',
        "F6,Good Two,1997-01-01,care,,false,",
    ],
    "\r\n",
)


def _download(api, who, job_id):
    return api.client.get(f"/api/v1/jobs/{job_id}/failed-rows.csv", headers=api.auth(who))


def test_failed_rows_are_kept_and_come_back_ready_to_fix(api):
    institute = api.org("institute")
    result = _post(api, institute, FAILING.encode(), as_file=True).json()
    assert (result["created"], result["failed"]) == (2, 3), result
    assert [(e["row"], e["external_id"], e["field"]) for e in result["errors"]] == [
        (3, None, "external_id"),
        (4, "F3", "date_of_birth"),
        (6, "F5", "consent_to_share"),  # row 5 is blank and keeps its number
    ]
    job = api.client.get(f"/api/v1/jobs/{result['job_id']}", headers=api.auth(institute)).json()
    assert job["failed"] == result["failed"] == 3 and job["total"] == 5

    download = _download(api, institute, result["job_id"])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"), newline="")))
    assert table[0] == [*HEAD.split(","), "skills", "error"]
    assert [row[0] for row in table[1:]] == ["", "F3", "F5"]
    f3 = dict(zip(table[0], table[2], strict=True))
    assert f3["date_of_birth"] == "12/05/1998"  # as sent
    assert f3["summary"] == '\'=HYPERLINK("http://x";"click")' and f3["skills"] == "'@SUM(1+1)"
    assert f3["error"].startswith("row 4, date_of_birth: Enter a date like 1998-05-01")
    f5 = dict(zip(table[0], table[3], strict=True))
    assert f5["summary"] == "two\nlines" and f5["skills"] == "'-cmd"

    # fixed in the downloaded file itself, and uploaded again as it is
    table[1][0] = "F2"
    table[2][2] = "1998-05-12"
    table[3][5] = "false"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(table)
    again = _post(api, institute, fixed.getvalue().encode("utf-8-sig"), as_file=True).json()
    assert (again["created"], again["failed"]) == (3, 0), again
    listed = api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["items"]
    stored = {c["external_id"]: c for c in listed}
    assert stored["F3"]["summary"] == '=HYPERLINK("http://x";"click")'  # the ' taken off again
    assert stored["F3"]["skills"] == ["@SUM(1+1)"] and stored["F5"]["skills"] == ["-cmd"]


def test_failed_rows_are_the_uploaders_alone(api):
    institute, other = api.org("institute"), api.org("institute")
    employer, officer = api.org("employer"), api.org("officer")
    job_id = _post(api, institute, FAILING.encode(), as_file=False).json()["job_id"]
    assert _download(api, institute, job_id).status_code == 200
    for stranger in (other, employer, officer):
        response = _download(api, stranger, job_id)
        assert response.status_code == 404, response.text
        assert "F3" not in response.text
    assert _download(api, institute, 2**31 - 1).status_code == 404


def test_json_failures_are_kept_too(api):
    institute = api.org("institute")
    rows = [candidate_body(external_id="J1"), candidate_body(external_id="J2", sector="sea")]
    result = api.client.post(
        "/api/v1/candidates/bulk", json=rows, headers=api.auth(institute)
    ).json()
    assert [(e["row"], e["external_id"], e["field"]) for e in result["errors"]] == [
        (2, "J2", "sector")
    ]
    text = _download(api, institute, result["job_id"]).content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    row = dict(zip(table[0], table[1], strict=True))
    assert row["external_id"] == "J2" and row["sector"] == "sea"
    assert row["skills"] == "assist with personal hygiene; feed patients"


def test_a_jobs_timestamps_are_utc_with_z_and_it_never_finishes_before_it_starts(api):
    institute = api.org("institute")
    text = _rows([HEAD, "T1,Time One,1996-04-02,care,,true"], "\n").encode()
    first = _post(api, institute, text, as_file=False).json()
    again = _post(api, institute, text, as_file=False).json()  # nothing to embed: done at once
    for result in (first, again):
        job = api.client.get(f"/api/v1/jobs/{result['job_id']}", headers=api.auth(institute)).json()
        assert UTC_STAMP.match(job["created_at"]), job
        if job["finished_at"] is not None:
            assert UTC_STAMP.match(job["finished_at"]), job
            assert job["finished_at"] >= job["created_at"], job
    finished = api.client.get(f"/api/v1/jobs/{again['job_id']}", headers=api.auth(institute)).json()
    assert finished["status"] == "finished" and finished["total"] == 0


def test_the_example_file_has_every_column_and_uploads_with_no_failure(api):
    example = ROOT / "examples" / "candidates.csv"
    header = next(csv.reader(io.StringIO(example.read_text(encoding="utf-8"))))
    assert set(header) == set(CandidateCreate.model_fields)
    institute = api.org("institute", state="Tamil Nadu")
    result = _post(api, institute, example.read_bytes(), as_file=True).json()
    assert result["failed"] == 0 and result["errors"] == [], result
    assert result["created"] >= 4


def test_the_field_table_lists_every_schema_field():
    page = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(\w+)` \|", page, flags=re.MULTILINE))
    missing = set(CandidateCreate.model_fields) - listed
    assert not missing, f"docs/fields.md lacks {sorted(missing)}"
