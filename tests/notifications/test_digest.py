"""The email settings page, and the daily digest of what a person has not read."""

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import sessionmaker

from talentbridge.config import Settings
from talentbridge.db import unit_of_work, utcnow
from talentbridge.notifications import events
from talentbridge.notifications.worker import NotificationWorker
from tests.conftest import Database
from tests.notifications.conftest import AppMaker, Inbox
from tests.web.conftest import Member, csrf_of, make_member, sign_in_client


def _choose(http: Any, language: str, mode: str) -> Any:
    page = http.get("/app/notifications/settings")
    assert page.status_code == 200
    return http.post(
        "/app/notifications/settings",
        data={"language": language, "mode": mode, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def test_the_settings_page_saves_a_persons_language_and_mode(make_client: AppMaker) -> None:
    http = make_client()
    employer = make_member(http, "employer")
    sign_in_client(http, employer)
    assert 'href="/app/notifications/settings"' in http.get("/app/notifications").text
    page = http.get("/app/notifications/settings").text
    # an employer's people get Japanese and one email per event until they choose
    assert 'value="ja" checked' in page and 'value="each" checked' in page

    refused = _choose(http, "fr", "weekly")
    assert refused.status_code == 422
    assert 'id="language-error"' in refused.text and 'id="mode-error"' in refused.text

    saved = _choose(http, "en", "digest")
    assert saved.status_code == 303
    shown = http.get(saved.headers["location"]).text
    assert "Your email settings have been saved." in shown
    assert 'value="en" checked' in shown and 'value="digest" checked' in shown
    assert 'value="ja" checked' not in shown


def _emit(database: Database, organisation_id: int, *data: dict[str, Any]) -> None:
    """Events as the placements service writes them (its transaction, the real outbox)."""
    sessions = sessionmaker(bind=database.engine, expire_on_commit=False)
    with unit_of_work(sessions) as session:
        for one in data:
            events.emit(session, events.Kind.placement_stage_changed, [organisation_id], one)


def _stage(placement_id: int, to: str) -> dict[str, Any]:
    return {"placement_id": placement_id, "vacancy_id": 5, "from": "shortlisted", "to": to}


def test_a_digest_person_gets_one_email_of_what_they_have_not_read_in_their_language(
    make_client: AppMaker, smtp: tuple[Inbox, int], own_database: Database
) -> None:
    inbox, port = smtp
    http = make_client()
    employer = make_member(http, "employer")
    colleague = make_member(http, "employer", organisation=employer, name="Kenji Sato")
    csrf = sign_in_client(http, employer)
    assert _choose(http, "ja", "digest").status_code == 303

    _emit(
        own_database,
        employer.organisation_id,
        _stage(801, "interviewing"),
        _stage(802, "offered"),
        _stage(803, "visa_processing"),
    )
    listed = http.get("/api/v1/notifications").json()["items"]
    [read] = [n["id"] for n in listed if n["data"].get("placement_id") == 802]
    assert (
        http.post(f"/api/v1/notifications/{read}/read", headers={"X-CSRF-Token": csrf}).status_code
        == 204
    )

    settings = Settings(
        database_url=own_database.url, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none"
    )
    worker = NotificationWorker(
        sessions=sessionmaker(bind=own_database.engine, expire_on_commit=False), settings=settings
    )
    worker.run_once()
    assert inbox.to(employer.email) == []  # no message per event for a digest person
    assert len(inbox.to(colleague.email)) == 3  # the colleague kept one per event

    later = utcnow() + timedelta(hours=25)
    worker.run_once(later)
    worker.run_once(later + timedelta(minutes=5))  # one a day, not one a round
    [digest] = inbox.to(employer.email)
    text = digest.get_content()
    assert digest["Subject"] == "未読のお知らせのまとめ（2 件）"
    assert "選考 801" in text and "選考 803" in text and "選考 802" not in text
    assert "「面接中」" in text and "「ビザ手続き中」" in text  # stages by name, not by key
    assert "interviewing" not in text
    assert "/app/notifications/settings" in text
    assert len(inbox.to(colleague.email)) == 3

    worker.run_once(later + timedelta(hours=25))  # nothing new since: no empty digest
    assert len(inbox.to(employer.email)) == 1


def test_a_digest_in_english_when_chosen(
    make_client: AppMaker, smtp: tuple[Inbox, int], own_database: Database
) -> None:
    inbox, port = smtp
    http = make_client()
    person: Member = make_member(http, "employer")
    sign_in_client(http, person)
    assert _choose(http, "en", "digest").status_code == 303
    _emit(own_database, person.organisation_id, _stage(901, "placed"), _stage(902, "rejected"))
    settings = Settings(
        database_url=own_database.url, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none"
    )
    worker = NotificationWorker(
        sessions=sessionmaker(bind=own_database.engine, expire_on_commit=False), settings=settings
    )
    worker.run_once(utcnow() + timedelta(hours=25))
    [digest] = inbox.to(person.email)
    assert digest["Subject"] == "Your daily summary: notifications you have not read (2)"
    text = digest.get_content()
    assert "Placement 901 is now at the Placed stage" in text
    assert "Placement 902 is now at the Rejected stage" in text
