"""Email of events through a real SMTP server (aiosmtpd) in the test process."""

from typing import Any

from sqlalchemy.orm import sessionmaker

from talentbridge.config import Settings
from talentbridge.notifications.worker import NotificationWorker
from tests.conftest import Database, candidate_body, vacancy_body
from tests.notifications.conftest import AppMaker, Inbox
from tests.web.conftest import Member, csrf_of, make_member, sign_in_client


def _worker(database: Database, port: int) -> NotificationWorker:
    settings = Settings(
        database_url=database.url, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none"
    )
    return NotificationWorker(
        sessions=sessionmaker(bind=database.engine, expire_on_commit=False), settings=settings
    )


def _key(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def _shortlist(http: Any, employer: Member, institute: Member) -> None:
    made = http.post(
        "/api/v1/candidates",
        json=candidate_body(full_name="Meera Kumari", date_of_birth="1997-03-09"),
        headers=_key(institute),
    )
    vacancy = http.post("/api/v1/vacancies", json=vacancy_body(), headers=_key(employer))
    placed = http.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy.json()["id"], "candidate_id": made.json()["id"]},
        headers=_key(employer),
    )
    assert placed.status_code == 201, placed.text


def test_each_party_gets_one_email_in_its_language_without_the_persons_name(
    make_client: AppMaker, smtp: tuple[Inbox, int], own_database: Database
) -> None:
    inbox, port = smtp
    http = make_client()
    employer, institute = make_member(http, "employer"), make_member(http, "institute")
    _shortlist(http, employer, institute)
    worker = _worker(own_database, port)
    worker.run_once()
    worker.run_once()  # nothing twice

    [japanese] = inbox.to(employer.email)
    [english] = inbox.to(institute.email)
    ja_text, en_text = japanese.get_content(), english.get_content()
    assert "お知らせいたします" in ja_text and "いつもお世話になっております" in ja_text
    assert "has moved from" in en_text and "Hello," in en_text
    for message, text in ((japanese, ja_text), (english, en_text)):
        assert "Meera" not in text + str(message["Subject"])
        assert "1997" not in text
        assert "/app/notifications/unsubscribe?kind=placement.stage_changed" in text
        assert "unsubscribe?kind=placement.stage_changed" in message["List-Unsubscribe"]


def test_an_unsubscribed_kind_is_not_emailed_again(
    make_client: AppMaker, smtp: tuple[Inbox, int], own_database: Database
) -> None:
    inbox, port = smtp
    http = make_client()
    employer, institute = make_member(http, "employer"), make_member(http, "institute")
    sign_in_client(http, employer)
    page = http.get("/app/notifications/unsubscribe?kind=placement.stage_changed")
    assert page.status_code == 200
    done = http.post(
        "/app/notifications/unsubscribe",
        data={"kind": "placement.stage_changed", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    _shortlist(http, employer, institute)
    _worker(own_database, port).run_once()
    assert inbox.to(employer.email) == []
    assert len(inbox.to(institute.email)) == 1
