"""In-app notifications: listed for the organisation, read per person, counted in the header."""

from fastapi.testclient import TestClient

from tests.conftest import candidate_body, vacancy_body
from tests.notifications.conftest import AppMaker
from tests.web.conftest import Member, make_member, sign_in_client


def _shortlist(http: TestClient, employer: Member) -> int:
    institute = make_member(http, "institute")
    body = candidate_body(full_name="Priya Secret-Name")
    made = http.post(
        "/api/v1/candidates", json=body, headers={"Authorization": f"Bearer {institute.api_key}"}
    )
    assert made.status_code == 201, made.text
    key = {"Authorization": f"Bearer {employer.api_key}"}
    vacancy = http.post("/api/v1/vacancies", json=vacancy_body(), headers=key)
    assert vacancy.status_code == 201, vacancy.text
    placed = http.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy.json()["id"], "candidate_id": made.json()["id"]},
        headers=key,
    )
    assert placed.status_code == 201, placed.text
    return int(placed.json()["id"])


def test_a_person_reads_a_notification_and_a_colleague_still_has_it(
    make_client: AppMaker,
) -> None:
    web_client = make_client()
    employer = make_member(web_client, "employer")
    colleague = make_member(web_client, "employer", organisation=employer, name="Kenji Sato")
    placement_id = _shortlist(web_client, employer)

    token = sign_in_client(web_client, employer)
    listed = web_client.get("/api/v1/notifications").json()["items"]
    assert [(n["kind"], n["read"], n["data"]["placement_id"]) for n in listed] == [
        ("placement.stage_changed", False, placement_id)
    ]
    assert "Priya" not in str(listed)
    page = web_client.get("/app/notifications")
    assert "1 unread notification" in page.text
    assert f"Placement {placement_id} moved to Shortlisted." in page.text  # the stage by name

    refused = web_client.post(f"/api/v1/notifications/{listed[0]['id']}/read")
    assert refused.status_code == 403  # no CSRF header
    done = web_client.post(
        f"/api/v1/notifications/{listed[0]['id']}/read", headers={"X-CSRF-Token": token}
    )
    assert done.status_code == 204
    assert web_client.get("/api/v1/notifications").json()["items"][0]["read"] is True
    assert "0 unread notifications" in web_client.get("/app/notifications?lang=en").text
    assert "未読のお知らせ 0 件" in web_client.get("/app/notifications?lang=ja").text

    web_client.post("/app/logout", headers={"X-CSRF-Token": token})
    web_client.cookies.clear()
    sign_in_client(web_client, colleague)
    assert web_client.get("/api/v1/notifications").json()["items"][0]["read"] is False


def test_another_organisations_notification_is_not_found(make_client: AppMaker) -> None:
    web_client = make_client()
    employer = make_member(web_client, "employer")
    _shortlist(web_client, employer)
    mine = web_client.get(
        "/api/v1/notifications", headers={"Authorization": f"Bearer {employer.api_key}"}
    ).json()["items"]
    stranger = make_member(web_client, "employer")
    token = sign_in_client(web_client, stranger)
    assert web_client.get("/api/v1/notifications").json()["items"] == []
    answer = web_client.post(
        f"/api/v1/notifications/{mine[0]['id']}/read", headers={"X-CSRF-Token": token}
    )
    assert answer.status_code == 404
