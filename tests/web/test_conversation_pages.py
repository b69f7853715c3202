"""The placement's page and its conversation over HTTP (SQLite and PostgreSQL): the employer
writes, the institute reads and replies, officers read without a form, strangers get 404;
stage lines in the reader's language; names only as the visibility policy allows; a
message's text is shown as text."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import candidate_body
from tests.web.conftest import Member, make_member, sign_in_client

NASTY = "<script>alert(1)</script>"
SHOWN = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def _placement(http: TestClient, full_name: str = "Meera Nair") -> tuple[Member, Member, Any]:
    employer = make_member(http, "employer", name="Kenji Sato")
    institute = make_member(http, "institute", name="Priya Rao")
    vacancy = http.post(
        "/api/v1/vacancies",
        headers=_bearer(employer),
        json={"title": "Care worker", "sector": "care", "prefecture": "Aichi"},
    ).json()
    person = http.post(
        "/api/v1/candidates",
        headers=_bearer(institute),
        json=candidate_body(full_name=full_name, state="Kerala"),
    )
    assert person.status_code == 201, person.text
    placement = http.post(
        "/api/v1/placements",
        headers=_bearer(employer),
        json={"vacancy_id": vacancy["id"], "candidate_id": person.json()["id"]},
    )
    assert placement.status_code == 201, placement.text
    return employer, institute, placement.json()


def _send(http: TestClient, placement_id: int, csrf: str, body: str) -> Any:
    return http.post(
        f"/app/placements/{placement_id}/messages",
        data={"body": body, "csrf_token": csrf},
        follow_redirects=False,
    )


def test_the_employer_writes_and_the_institute_reads_and_replies(web_client: TestClient) -> None:
    employer, institute, placement = _placement(web_client)
    pid = placement["id"]
    csrf = sign_in_client(web_client, employer)
    board = web_client.get("/app/placements?lang=en").text
    assert f'href="/app/placements/{pid}"' in board
    page = web_client.get(f"/app/placements/{pid}")
    assert page.status_code == 200
    assert "Meera Nair" in page.text  # an active placement: the employer sees the name
    assert "Shortlisted by the employer" in page.text
    assert 'for="body">Message</label>' in page.text and ">Send</button>" in page.text
    sent = _send(web_client, pid, csrf, f"Can she start in April?\n{NASTY}")
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/app/placements/{pid}?done=message_sent#conversation"
    after = web_client.get(sent.headers["location"]).text
    assert "Your message has been sent." in after
    assert SHOWN in after and NASTY not in after
    assert "Kenji Sato (employer)" in after
    moved = web_client.post(
        f"/app/placements/{pid}/move",
        data={"status": "interviewing", "csrf_token": csrf, "back": f"/app/placements/{pid}"},
        follow_redirects=False,
    )
    assert moved.headers["location"] == f"/app/placements/{pid}?done=moved#conversation"

    csrf = sign_in_client(web_client, institute)
    record = web_client.get(f"/app/candidates/{placement['candidate_id']}").text
    assert f'href="/app/placements/{pid}#conversation"' in record
    seen = web_client.get(f"/app/placements/{pid}?lang=ja").text
    assert "Meera Nair" in seen and SHOWN in seen and NASTY not in seen
    assert "雇用主により「候補リスト」から「面接中」に変更されました" in seen
    assert "Kenji Sato（雇用主）" in seen and "送信する" in seen
    assert _send(web_client, pid, csrf, "Yes, from 1 April.").status_code == 303
    api = web_client.get(f"/api/v1/placements/{pid}/messages", headers=_bearer(employer)).json()
    assert [(i["kind"], i["author"]) for i in api["items"]] == [
        ("stage_change", None),
        ("message", "Kenji Sato"),
        ("stage_change", None),
        ("message", "Priya Rao"),
    ]


def test_a_bad_message_is_said_beside_the_field_and_kept(web_client: TestClient) -> None:
    employer, _, placement = _placement(web_client)
    csrf = sign_in_client(web_client, employer)
    web_client.get("/app/placements?lang=en")
    for body in ("   ", "x" * 4001):
        answer = _send(web_client, placement["id"], csrf, body)
        assert answer.status_code == 422
        assert "There is a problem" in answer.text and 'href="#body"' in answer.text
        assert "Enter a message of at most 4,000 characters" in answer.text
        assert 'aria-invalid="true"' in answer.text
    assert "x" * 4001 in answer.text  # what was typed is kept
    api = web_client.get(
        f"/api/v1/placements/{placement['id']}/messages", headers=_bearer(employer)
    ).json()
    assert [i["kind"] for i in api["items"]] == ["stage_change"]


def test_officers_read_without_a_form_and_strangers_get_404(web_client: TestClient) -> None:
    employer, _, placement = _placement(web_client)
    pid = placement["id"]
    csrf = sign_in_client(web_client, employer)
    assert _send(web_client, pid, csrf, "Interview on Monday").status_code == 303
    officer = make_member(web_client, "officer")
    csrf = sign_in_client(web_client, officer)
    page = web_client.get(f"/app/placements/{pid}?lang=en")
    assert page.status_code == 200 and "Interview on Monday" in page.text
    assert "Officers read the conversation" in page.text and 'name="body"' not in page.text
    assert _send(web_client, pid, csrf, "An officer's word").status_code == 403
    for kind in ("employer", "institute"):
        stranger = make_member(web_client, kind)
        csrf = sign_in_client(web_client, stranger)
        assert web_client.get(f"/app/placements/{pid}").status_code == 404
        assert _send(web_client, pid, csrf, "Let me in").status_code == 404
    api = web_client.get(f"/api/v1/placements/{pid}/messages", headers=_bearer(employer)).json()
    assert [i["body"] for i in api["items"]] == [None, "Interview on Monday"]


def test_the_employer_stops_seeing_the_name_after_rejecting(web_client: TestClient) -> None:
    employer, _, placement = _placement(web_client, full_name=NASTY)
    pid = placement["id"]
    csrf = sign_in_client(web_client, employer)
    assert SHOWN in web_client.get(f"/app/placements/{pid}").text
    web_client.post(
        f"/app/placements/{pid}/move",
        data={"status": "rejected", "csrf_token": csrf, "back": f"/app/placements/{pid}"},
    )
    page = web_client.get(f"/app/placements/{pid}?lang=en").text
    assert "alert(1)" not in page and f"Person {pid}" in page
    assert "Moved from Shortlisted to Rejected by the employer" in page
