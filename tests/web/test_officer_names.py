"""The officers' plan and overrides pages name the vacancy (title, employer) and the person
(name, institute) where they showed numbers, and link the organisations (SQLite and
PostgreSQL, the real matcher)."""

import re

from fastapi.testclient import TestClient

from tests.conftest import candidate_body, vacancy_body
from tests.web.conftest import Member, make_member, sign_in_client

FARM = {
    "title": "Dairy farm worker",
    "sector": "agriculture",
    "prefecture": "Hokkaido",
    "required_skills": ["milk cows"],
}


def _bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def _organisation(member: Member) -> re.Pattern[str]:
    """The link to the member's organisation page, its name as the text."""
    return re.compile(
        rf'<a href="/app/organisations/{member.organisation_id}">\w+ [0-9a-f]{{6}}</a>'
    )


def test_plan_and_overrides_show_names_with_links(client: TestClient) -> None:
    employer, institute = make_member(client, "employer"), make_member(client, "institute")
    officer = make_member(client, "officer")
    vacancy = client.post(
        "/api/v1/vacancies", headers=_bearer(employer), json=vacancy_body(**FARM)
    ).json()
    person = client.post(
        "/api/v1/candidates",
        headers=_bearer(institute),
        json=candidate_body(
            full_name="Meera Iyer",
            sector="agriculture",
            job_title="dairy farm worker",
            skills=["milk cows"],
            state="Sikkim",
            preferred_prefectures=["Hokkaido"],
        ),
    ).json()
    # Other tests' records stay in this database: the plan is scoped to this one's.
    scope = {"sector": "agriculture", "state": "Sikkim", "prefecture": "Hokkaido"}
    plan = client.post("/api/v1/allocations", json=scope, headers=_bearer(officer))
    assert plan.status_code == 201, plan.text
    assert [(a["vacancy_id"], a["candidate_id"]) for a in plan.json()["assignments"]] == [
        (vacancy["id"], person["id"])
    ]
    csrf = sign_in_client(client, officer)

    page = client.get(f"/app/plans/{plan.json()['id']}").text
    row = re.search(r"<tbody>.*?</tbody>", page, re.S)
    assert row and "Dairy farm worker" in row.group(0) and "Meera Iyer" in row.group(0)
    assert _organisation(employer).search(row.group(0))
    assert _organisation(institute).search(row.group(0))
    assert f"Vacancy {vacancy['id']}" in row.group(0)

    recorded = client.post(
        "/app/overrides",
        data={
            "csrf_token": csrf,
            "vacancy_id": str(vacancy["id"]),
            "candidate_id": str(person["id"]),
            "gates": ["availability"],
            "reason": "Starts after the visa, agreed with the employer",
        },
    )
    assert recorded.status_code == 200, recorded.text
    table = re.search(r"<tbody>.*?</tbody>", recorded.text, re.S)
    assert table and "Dairy farm worker" in table.group(0) and "Meera Iyer" in table.group(0)
    assert _organisation(employer).search(table.group(0))
    ja = client.get("/app/overrides?lang=ja").text
    assert f"候補者 {person['id']}" in ja and f"求人 {vacancy['id']}" in ja


def test_the_demand_page_shows_the_largest_gaps_and_says_how_many(client: TestClient) -> None:
    employer, officer = make_member(client, "employer"), make_member(client, "officer")
    skills = [f"skill number {i:02d}" for i in range(60)]
    posted = client.post(
        "/api/v1/vacancies",
        headers=_bearer(employer),
        json=vacancy_body(title="Many skills", required_skills=skills, openings=9),
    )
    assert posted.status_code == 201, posted.text
    sign_in_client(client, officer)
    page = client.get("/app/demand").text
    skills_table = page.split("Skills</h2>")[1].split("Occupations</h2>")[0]
    assert skills_table.count("skill number ") == 50
    total = len(client.get("/api/v1/reports/demand", headers=_bearer(officer)).json()["skills"])
    assert total >= 60 and f"The 50 largest gaps of {total}; the CSV has them all." in page
    assert "すべての項目は CSV" in client.get("/app/demand?lang=ja").text
