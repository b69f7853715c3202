"""The employer's pages and the officers' demand, plans and overrides pages over HTTP (SQLite
and PostgreSQL): post, edit and close a vacancy; the board's moves; the hires, named after
`placed` (page and API agree); another employer's records 404; names shown as text."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import candidate_body
from tests.web.conftest import Member, make_member, sign_in_client

NASTY = "<script>alert(1)</script>"


def _bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def _post_vacancy(http: TestClient, csrf: str, **fields: str) -> Any:
    form = {
        "title": "介護職員（特定技能）",
        "sector": "care",
        "openings": "2",
        "prefecture": "Aichi",
        "csrf_token": csrf,
        "requires_skill_test": "true",
        "min_japanese_level": "N4",
        **fields,
    }
    return http.post("/app/vacancies/new", data=form, follow_redirects=False)


def test_post_edit_and_close_a_vacancy(web_client: TestClient) -> None:
    employer = make_member(web_client, "employer")
    csrf = sign_in_client(web_client, employer)
    form = web_client.get("/app/vacancies/new?lang=ja")
    assert "求人を掲載" in form.text and 'lang="ja"' in form.text
    posted = _post_vacancy(web_client, csrf, description="特別養護老人ホームでの身体介護。")
    assert posted.status_code == 303
    page = web_client.get(posted.headers["location"])
    assert "介護職員（特定技能）" in page.text and "求人を掲載しました。" in page.text
    vacancy_id = int(posted.headers["location"].split("/")[3].split("?")[0])
    api = web_client.get(f"/api/v1/vacancies/{vacancy_id}", headers=_bearer(employer)).json()
    assert api["prefecture"] == "Aichi" and api["description"].startswith("特別養護")
    saved = web_client.post(
        f"/app/vacancies/{vacancy_id}/edit",
        data={
            "title": "Care worker",
            "sector": "care",
            "openings": "3",
            "csrf_token": csrf,
            "min_japanese_level": "N3",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    api = web_client.get(f"/api/v1/vacancies/{vacancy_id}", headers=_bearer(employer)).json()
    assert (api["title"], api["openings"], api["min_japanese_level"]) == ("Care worker", 3, "N3")
    web_client.get("/app/vacancies?lang=en")  # the language is remembered: back to English
    closed = web_client.post(f"/app/vacancies/{vacancy_id}/close", data={"csrf_token": csrf})
    assert closed.status_code == 200 and "The vacancy has been closed." in closed.text
    listing = web_client.get("/app/vacancies?lang=en").text
    assert listing.index("Closed vacancies") < listing.index("Care worker")


def test_a_bad_vacancy_form_names_each_field_and_keeps_the_values(web_client: TestClient) -> None:
    employer = make_member(web_client, "employer")
    csrf = sign_in_client(web_client, employer)
    web_client.get("/app/vacancies?lang=en")
    answer = _post_vacancy(
        web_client,
        csrf,
        title="",
        openings="0",
        sector="fishing",
        start_date="12/05/2027",
        description="kept text",
    )
    assert answer.status_code == 422
    assert "There is a problem" in answer.text
    for message in (
        "Enter a title of up to 200 characters",
        "Choose a sector",
        "Enter a whole number of openings from 1 to 10,000",
        "Enter a date like 2027-04-01",
    ):
        assert message in answer.text
    assert 'href="#openings"' in answer.text and "kept text" in answer.text
    no_token = web_client.post("/app/vacancies/new", data={"title": "x", "sector": "care"})
    assert no_token.status_code == 403


def test_the_board_moves_to_placed_and_the_hire_is_named(web_client: TestClient) -> None:
    employer = make_member(web_client, "employer")
    institute = make_member(web_client, "institute")
    vacancy = web_client.post(
        "/api/v1/vacancies",
        headers=_bearer(employer),
        json={
            "title": "Care worker",
            "sector": "care",
            "prefecture": "Aichi",
            "requires_skill_test": False,
        },
    ).json()
    person = web_client.post(
        "/api/v1/candidates",
        headers=_bearer(institute),
        json=candidate_body(full_name=NASTY, state="Kerala"),
    )
    assert person.status_code == 201, person.text
    placement = web_client.post(
        "/api/v1/placements",
        headers=_bearer(employer),
        json={"vacancy_id": vacancy["id"], "candidate_id": person.json()["id"]},
    ).json()
    csrf = sign_in_client(web_client, employer)
    for move in ("interviewing", "offered", "visa_processing", "placed"):
        board = web_client.get(f"/app/vacancies/{vacancy['id']}?lang=en").text
        assert f'value="{move}"' in board
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in board and NASTY not in board
        moved = web_client.post(
            f"/app/placements/{placement['id']}/move",
            data={"status": move, "csrf_token": csrf, "back": f"/app/vacancies/{vacancy['id']}"},
            follow_redirects=False,
        )
        assert moved.status_code == 303, moved.text
    hires = web_client.get("/app/hires").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hires and NASTY not in hires
    api = web_client.get("/api/v1/hires", headers=_bearer(employer)).json()
    assert api["total"] == 1 and api["items"][0]["candidate"]["full_name"] == NASTY
    assert api["items"][0]["placed_on"] is not None
    # Consent withdrawn: the row stays, the name goes, on the page and in the API alike.
    web_client.patch(
        f"/api/v1/candidates/{person.json()['id']}",
        headers=_bearer(institute),
        json={"consent_to_share": False},
    )
    api = web_client.get("/api/v1/hires", headers=_bearer(employer)).json()
    assert api["total"] == 1 and api["items"][0]["candidate"] is None
    assert "alert(1)" not in web_client.get("/app/hires").text
    # A move the stage does not allow is refused with a page, not a 500.
    again = web_client.post(
        f"/app/placements/{placement['id']}/move", data={"status": "offered", "csrf_token": csrf}
    )
    assert again.status_code == 409


def test_another_employers_records_are_404_on_pages(web_client: TestClient) -> None:
    owner = make_member(web_client, "employer")
    other = make_member(web_client, "employer")
    vacancy = web_client.post(
        "/api/v1/vacancies",
        headers=_bearer(owner),
        json={"title": "Welder", "sector": "manufacturing", "prefecture": "Aichi"},
    ).json()
    csrf = sign_in_client(web_client, other)
    for path in (f"/app/vacancies/{vacancy['id']}", f"/app/vacancies/{vacancy['id']}/edit"):
        assert web_client.get(path).status_code == 404
    for path in (
        f"/app/vacancies/{vacancy['id']}/close",
        f"/app/vacancies/{vacancy['id']}/shortlist",
    ):
        answer = web_client.post(path, data={"csrf_token": csrf, "candidate_id": "1"})
        assert answer.status_code == 404
    assert "Welder" not in web_client.get("/app/vacancies").text
    assert web_client.get("/app/demand").status_code == 404  # an officer's page
    assert web_client.get("/api/v1/hires", headers=_bearer(other)).json()["total"] == 0


def test_officer_pages_and_an_override(web_client: TestClient) -> None:
    employer = make_member(web_client, "employer")
    institute = make_member(web_client, "institute")
    officer = make_member(web_client, "officer")
    vacancy = web_client.post(
        "/api/v1/vacancies",
        headers=_bearer(employer),
        json={
            "title": "Care worker",
            "sector": "care",
            "prefecture": "Aichi",
            "required_skills": ["feed patients"],
        },
    ).json()
    person = web_client.post(
        "/api/v1/candidates", headers=_bearer(institute), json=candidate_body(state="Kerala")
    ).json()
    csrf = sign_in_client(web_client, officer)
    demand = web_client.get("/app/demand?sector=care")
    assert demand.status_code == 200 and "feed patients" in demand.text
    assert web_client.get("/app/plans").status_code == 200
    assert web_client.get("/app/plans/999999").status_code == 404
    bad = web_client.post("/app/overrides", data={"csrf_token": csrf, "vacancy_id": "x"})
    assert bad.status_code == 422 and "Choose at least one gate" in bad.text
    good = web_client.post(
        "/app/overrides",
        data={
            "csrf_token": csrf,
            "vacancy_id": str(vacancy["id"]),
            "candidate_id": str(person["id"]),
            "gates": ["skill_test", "availability"],
            "reason": "Completed Technical Intern Training (ii) in care",
        },
    )
    assert good.status_code == 200 and "The override has been recorded." in good.text
    assert "Completed Technical Intern Training" in good.text
    ja = web_client.get("/app/overrides?lang=ja").text
    assert "技能試験" in ja and "要件の特例" in ja
