"""Webhooks against a real HTTP receiver on 127.0.0.1, delivered by the notification worker."""

import hashlib
import hmac
import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from talentbridge.config import Settings
from talentbridge.db import utcnow
from talentbridge.notifications.webhooks import destination
from talentbridge.notifications.worker import NotificationWorker
from tests.conftest import Database, candidate_body, vacancy_body
from tests.notifications.conftest import AppMaker, Receiver
from tests.web.conftest import Member, make_member


def _key(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def _shortlist(http: TestClient, employer: Member) -> int:
    institute = make_member(http, "institute")
    made = http.post("/api/v1/candidates", json=candidate_body(), headers=_key(institute))
    vacancy = http.post("/api/v1/vacancies", json=vacancy_body(), headers=_key(employer))
    placed = http.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy.json()["id"], "candidate_id": made.json()["id"]},
        headers=_key(employer),
    )
    assert placed.status_code == 201, placed.text
    return int(placed.json()["id"])


def _worker(database: Database, **values: object) -> NotificationWorker:
    settings = Settings(database_url=database.url, **values)  # type: ignore[arg-type]
    return NotificationWorker(
        sessions=sessionmaker(bind=database.engine, expire_on_commit=False), settings=settings
    )


def test_a_delivery_is_signed_with_the_webhooks_secret(
    make_client: AppMaker, receiver: Receiver, own_database: Database
) -> None:
    http = make_client(webhook_allow_private=True)
    employer = make_member(http, "employer")
    made = http.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["placement.stage_changed"]},
        headers=_key(employer),
    )
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    assert "secret" not in http.get("/api/v1/webhooks", headers=_key(employer)).json()[0]
    placement_id = _shortlist(http, employer)

    _worker(own_database, webhook_allow_private=True).run_once()

    [(headers, body)] = receiver.received
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-TalentBridge-Signature"] == f"sha256={expected}"
    event = json.loads(body)
    assert set(event) == {"id", "kind", "occurred_at", "organisation_id", "data"}
    assert event["kind"] == "placement.stage_changed"
    assert event["organisation_id"] == employer.organisation_id
    assert event["data"]["placement_id"] == placement_id
    assert "Asha" not in body.decode()
    tries = http.get(f"/api/v1/webhooks/{made.json()['id']}/deliveries", headers=_key(employer))
    assert [(t["event_id"], t["status_code"], t["attempt"]) for t in tries.json()] == [
        (event["id"], 200, 1)
    ]


def test_a_receiver_answering_500_gets_it_again_later(
    make_client: AppMaker, receiver: Receiver, own_database: Database
) -> None:
    http = make_client(webhook_allow_private=True)
    employer = make_member(http, "employer")
    hook = http.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["placement.stage_changed"]},
        headers=_key(employer),
    ).json()
    _shortlist(http, employer)
    receiver.answers = [500]
    worker = _worker(own_database, webhook_allow_private=True)

    assert worker.run_once() == 1
    assert len(receiver.received) == 1
    assert worker.run_once() == 0  # not at once: it waits its backoff
    assert worker.run_once(now=utcnow() + timedelta(minutes=2)) == 1
    first, second = receiver.received
    assert first[1] == second[1]
    assert first[0]["X-TalentBridge-Delivery"] == second[0]["X-TalentBridge-Delivery"]
    tries = http.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=_key(employer)).json()
    assert [(t["status_code"], t["attempt"]) for t in tries] == [(200, 2), (500, 1)]
    assert worker.run_once(now=utcnow() + timedelta(hours=1)) == 0  # delivered: done


def test_a_loopback_url_is_refused_while_private_addresses_are_not_allowed(
    make_client: AppMaker, receiver: Receiver
) -> None:
    http = make_client()
    employer = make_member(http, "employer")
    for url in (receiver.url, "http://localhost/x", "http://10.1.2.3/x", "ftp://example.org/"):
        answer = http.post(
            "/api/v1/webhooks",
            json={"url": url, "events": ["upload.finished"]},
            headers=_key(employer),
        )
        assert answer.status_code == 422, url
        assert answer.json()["field"] == "url"
    unknown = http.post(
        "/api/v1/webhooks",
        json={"url": "https://example.org/", "events": ["nonsense"]},
        headers=_key(employer),
    )
    assert (unknown.status_code, unknown.json()["field"]) == (422, "events")


def test_a_webhook_registered_then_pointing_inward_is_not_called(
    make_client: AppMaker, receiver: Receiver, own_database: Database
) -> None:
    http = make_client(webhook_allow_private=True)
    employer = make_member(http, "employer")
    hook = http.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["placement.stage_changed"]},
        headers=_key(employer),
    ).json()
    _shortlist(http, employer)
    _worker(own_database, webhook_allow_private=False).run_once()  # checked again when delivered
    assert receiver.received == []
    [tried] = http.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=_key(employer)).json()
    assert tried["status_code"] is None and "private" in tried["error"]


def test_a_delivery_goes_to_the_address_that_was_checked_under_the_name_given(
    make_client: AppMaker, receiver: Receiver, own_database: Database
) -> None:
    # The name is looked up once, for the check, and the connection made to that address:
    # a name that answered differently a moment later (DNS rebinding) is never asked again.
    # The receiver still sees the name it was registered under.
    http = make_client(webhook_allow_private=True)
    employer = make_member(http, "employer")
    url = receiver.url.replace("127.0.0.1", "localhost")
    where = destination(url, allow_private=True)[1]
    assert where is not None and "localhost" not in where.url  # an address, not the name
    made = http.post(
        "/api/v1/webhooks",
        json={"url": url, "events": ["placement.stage_changed"]},
        headers=_key(employer),
    )
    assert made.status_code == 201, made.text
    _shortlist(http, employer)
    _worker(own_database, webhook_allow_private=True).run_once()
    [(headers, _)] = receiver.received
    assert headers["Host"] == url.split("/")[2]  # localhost:PORT, as registered


def test_an_https_address_is_pinned_and_keeps_its_name_for_the_certificate() -> None:
    why, where = destination("https://[2606:4700::1111]/hooks?a=1", allow_private=False)
    assert why is None and where is not None
    assert where.url == "https://[2606:4700::1111]:443/hooks?a=1"
    assert where.headers == {"Host": "[2606:4700::1111]"}
    assert where.extensions == {"sni_hostname": "2606:4700::1111"}
    assert destination("http://[::1]:8080/x", allow_private=False)[1] is None


def test_another_organisations_webhook_is_not_found_and_deleting_stops_it(
    make_client: AppMaker,
) -> None:
    http = make_client(webhook_allow_private=True)
    employer, stranger = make_member(http, "employer"), make_member(http, "employer")
    hook = http.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/x", "events": ["upload.finished"]},
        headers=_key(employer),
    ).json()
    assert http.delete(f"/api/v1/webhooks/{hook['id']}", headers=_key(stranger)).status_code == 404
    assert http.delete(f"/api/v1/webhooks/{hook['id']}", headers=_key(employer)).status_code == 204
    assert http.get("/api/v1/webhooks", headers=_key(employer)).json() == []
