"""The institute's pages over HTTP on SQLite and PostgreSQL: the list with its search and
filters, the candidate form with each field's error beside it, the upload with its failed
rows by spreadsheet row, and another institute's records 404."""

import re

from fastapi.testclient import TestClient

from tests.web.conftest import Member, make_member, sign_in_client

GOOD = {
    "external_id": "K-1",
    "full_name": "Meera Nair",
    "date_of_birth": "1998-05-12",
    "sector": "care",
    "job_title": "Care worker",
    "skills": "elderly care; cooking",
    "experience_years": "3",
    "japanese_level": "N4",
    "consent_to_share": "true",
}
HEADER = "external_id,full_name,date_of_birth,sector,consent_to_share\n"


def _signed_in(http: TestClient) -> tuple[Member, str]:
    member = make_member(http, "institute")
    return member, sign_in_client(http, member)


def _add(http: TestClient, token: str, **fields: str) -> int:
    answer = http.post(
        "/app/candidates/new", data={**GOOD, **fields, "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    found = re.search(r"/app/candidates/(\d+)", answer.headers["location"])
    assert found
    return int(found.group(1))


def _upload(http: TestClient, token: str, text: str, name: str = "people.csv") -> str:
    answer = http.post(
        "/app/uploads",
        data={"csrf_token": token},
        files={"spreadsheet": (name, text.encode(), "text/csv")},
    )
    assert answer.status_code in (200, 422), answer.text
    return answer.text


def test_add_a_candidate_and_see_the_page(web_client: TestClient) -> None:
    _, token = _signed_in(web_client)
    candidate_id = _add(web_client, token)
    page = web_client.get(f"/app/candidates/{candidate_id}?done=candidate_added")
    assert page.status_code == 200
    assert "Meera Nair" in page.text and "The candidate has been added." in page.text
    assert "elderly care, cooking" in page.text
    assert "No employer has shortlisted this person yet." in page.text
    listed = web_client.get("/app/candidates")
    assert "Meera Nair" in listed.text and "1 candidate" in listed.text


def test_each_bad_field_is_named_beside_it_and_nothing_typed_is_lost(
    web_client: TestClient,
) -> None:
    _, token = _signed_in(web_client)
    bad = {**GOOD, "full_name": "", "date_of_birth": "12/05/1998", "experience_years": "lots"}
    answer = web_client.post("/app/candidates/new", data={**bad, "csrf_token": token})
    assert answer.status_code == 422
    html = answer.text
    assert 'id="full_name-error"' in html and 'id="date_of_birth-error"' in html
    assert 'id="experience_years-error"' in html and 'id="sector-error"' not in html
    assert "Enter a date of birth as YYYY-MM-DD" in html
    assert 'href="#date_of_birth"' in html  # the summary links to the field
    assert 'value="12/05/1998"' in html and 'value="lots"' in html
    # a minor without a guardian's consent: refused beside the date, never stored
    minor = web_client.post(
        "/app/candidates/new", data={**GOOD, "date_of_birth": "2012-01-01", "csrf_token": token}
    )
    assert minor.status_code == 422 and 'id="date_of_birth-error"' in minor.text
    assert "0 candidates" in web_client.get("/app/candidates").text


def test_a_taken_external_id_is_said_beside_the_field(web_client: TestClient) -> None:
    _, token = _signed_in(web_client)
    _add(web_client, token)
    again = web_client.post("/app/candidates/new", data={**GOOD, "csrf_token": token})
    assert again.status_code == 422
    assert "Another of your candidates already has this external ID" in again.text


def test_edit_then_erase(web_client: TestClient) -> None:
    _, token = _signed_in(web_client)
    candidate_id = _add(web_client, token)
    form = web_client.get(f"/app/candidates/{candidate_id}/edit")
    assert 'value="Meera Nair"' in form.text and 'value="elderly care; cooking"' in form.text
    changed = {**GOOD, "full_name": "Meera K Nair", "job_title": "", "csrf_token": token}
    saved = web_client.post(
        f"/app/candidates/{candidate_id}/edit", data=changed, follow_redirects=False
    )
    assert saved.status_code == 303
    page = web_client.get(f"/app/candidates/{candidate_id}").text
    assert "Meera K Nair" in page and "Care worker" not in page
    bad = web_client.post(
        f"/app/candidates/{candidate_id}/edit", data={**changed, "sector": "fishing"}
    )
    assert bad.status_code == 422 and 'id="sector-error"' in bad.text
    erased = web_client.post(
        f"/app/candidates/{candidate_id}/erase", data={"csrf_token": token}, follow_redirects=False
    )
    assert erased.status_code == 303
    assert web_client.get(f"/app/candidates/{candidate_id}").status_code == 404
    no_token = web_client.post(f"/app/candidates/{candidate_id}/erase", data={})
    assert no_token.status_code == 403


def test_search_and_filters(web_client: TestClient) -> None:
    _, token = _signed_in(web_client)
    _add(web_client, token, external_id="K-1", full_name="Meera Nair")
    _add(web_client, token, external_id="K-2", full_name="Ravi Kumar", sector="construction")
    _add(web_client, token, external_id="X-9", full_name="Anil 50%_Das", consent_to_share="")

    def names(query: str) -> set[str]:
        html = web_client.get(f"/app/candidates?{query}").text
        return set(re.findall(r'<a href="/app/candidates/\d+">([^<]+)</a>', html))

    assert names("q=meera") == {"Meera Nair"}
    assert names("q=K-") == {"Meera Nair", "Ravi Kumar"}
    assert names("q=50%25_") == {"Anil 50%_Das"}  # % and _ are letters, not wildcards
    assert names("q=%25") == {"Anil 50%_Das"}
    assert names("sector=construction") == {"Ravi Kumar"}
    assert names("consent=no") == {"Anil 50%_Das"}
    assert names("consent=yes&sector=care") == {"Meera Nair"}
    assert names("stage=placed") == set()
    assert names("stage=none") == {"Meera Nair", "Ravi Kumar", "Anil 50%_Das"}
    assert names("sector=nonsense&page=abc") == {"Meera Nair", "Ravi Kumar", "Anil 50%_Das"}


def test_the_list_pages(web_client: TestClient) -> None:
    _, token = _signed_in(web_client)
    rows = "".join(f"P-{n},Person {n:03d},1990-01-01,care,true\n" for n in range(60))
    assert "60 created" in _upload(web_client, token, HEADER + rows)
    first = web_client.get("/app/candidates?q=Person")
    assert "60 candidates" in first.text and "Page 1 of 2" in first.text
    assert "Person 059" in first.text and "Person 000" not in first.text  # newest first
    second = web_client.get("/app/candidates?q=Person&page=2")
    assert "Person 000" in second.text and "Next page" not in second.text


def test_an_upload_lists_failed_rows_by_spreadsheet_row(web_client: TestClient) -> None:
    _, token = _signed_in(web_client)
    text = HEADER + (
        "A-1,Asha Rao,1995-02-03,care,true\n"
        "A-2,Bina Das,12/05/1998,care,true\n"
        "A-3,Chitra Iyer,1996-07-08,fishing,ok\n"
        "A-4,Devi Menon,1997-01-01,Care,TRUE\n"
    )
    html = _upload(web_client, token, text)
    assert "2 created" in html and "2 failed" in html
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", html)
    assert ("3", "A-2", "date_of_birth") in [r[:3] for r in rows]
    assert ("4", "A-3", "sector") in [r[:3] for r in rows]
    assert any("true or false" in r[3] for r in rows if r[2] == "consent_to_share")
    job = re.search(r"/api/v1/jobs/(\d+)/failed-rows.csv", html)
    assert job
    download = web_client.get(job.group(0))
    assert download.status_code == 200 and "A-2" in download.text and "A-1" not in download.text
    # fixed and sent again: created; the same rows twice make nothing new
    fixed = download.text.lstrip("\ufeff").replace("12/05/1998", "1998-05-12")
    again = _upload(web_client, token, fixed, name="fixed.csv")
    assert "1 created" in again and "1 failed" in again
    page = web_client.get(f"/app/uploads/{job.group(1)}")
    assert page.status_code == 200 and "A-3" in page.text and "Refresh" in page.text


def test_a_file_that_is_not_a_spreadsheet_is_said_beside_the_field(web_client: TestClient) -> None:
    _, token = _signed_in(web_client)
    html = _upload(web_client, token, "hello", name="notes.txt")
    assert 'id="spreadsheet-error"' in html and "notes.txt is neither" in html
    header = _upload(web_client, token, "name,age\nA,3\n")
    assert 'id="spreadsheet-error"' in header and "The file could not be read" in header
    empty = web_client.post("/app/uploads", data={"csrf_token": token})
    assert empty.status_code == 422 and "Choose a spreadsheet" in empty.text


def test_another_institutes_records_are_404(web_client: TestClient) -> None:
    _, token = _signed_in(web_client)
    candidate_id = _add(web_client, token)
    job_html = _upload(web_client, token, HEADER + "B-1,Bad,no-date,care,true\n")
    job = re.search(r"/app/uploads/(\d+)|/api/v1/jobs/(\d+)", job_html)
    assert job
    job_id = job.group(1) or job.group(2)
    web_client.cookies.clear()
    other = make_member(web_client, "institute")
    other_token = sign_in_client(web_client, other)
    for path in (
        f"/app/candidates/{candidate_id}",
        f"/app/candidates/{candidate_id}/edit",
        f"/app/uploads/{job_id}",
        f"/api/v1/jobs/{job_id}/failed-rows.csv",
    ):
        assert web_client.get(path).status_code == 404, path
    erase = web_client.post(
        f"/app/candidates/{candidate_id}/erase", data={"csrf_token": other_token}
    )
    assert erase.status_code == 404
    assert "Meera Nair" not in web_client.get("/app/candidates?q=Meera").text
    employer = make_member(web_client, "employer")
    web_client.cookies.clear()
    sign_in_client(web_client, employer)
    assert web_client.get(f"/app/candidates/{candidate_id}").status_code == 404


def test_a_script_name_is_shown_as_text(web_client: TestClient) -> None:
    _, token = _signed_in(web_client)
    name = "<script>alert(1)</script>"
    candidate_id = _add(web_client, token, full_name=name)
    for path in (
        f"/app/candidates/{candidate_id}",
        "/app/candidates",
        f"/app/candidates/{candidate_id}/edit",
    ):
        html = web_client.get(path).text
        assert name not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
