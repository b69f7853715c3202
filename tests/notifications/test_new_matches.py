"""A vacancy's employer hears of new candidates who fit it: uploaded, embedded by the worker,
ranked by the match service the API uses, told once (event, email), never by name."""

from typing import Any

from sqlalchemy.orm import sessionmaker

from talentbridge.app import build_matcher
from talentbridge.config import Settings
from talentbridge.ingestion.worker import EmbeddingWorker
from talentbridge.matching.toolkit import Toolkit
from talentbridge.notifications.worker import NotificationWorker
from talentbridge.serving import new_matches
from tests.conftest import Database, candidate_body, vacancy_body
from tests.notifications.conftest import AppMaker, Inbox
from tests.web.conftest import Member, make_member, sign_in_client


def _key(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def _told(http: Any, employer: Member) -> list[dict[str, Any]]:
    items = http.get("/api/v1/notifications", headers=_key(employer)).json()["items"]
    return [n["data"] for n in items if n["kind"] == "vacancy.new_matches"]


def test_a_fitting_candidate_uploaded_is_told_to_the_vacancys_employer_once(
    make_client: AppMaker, own_database: Database, tools: Toolkit, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    http = make_client()
    employer, institute = make_member(http, "employer"), make_member(http, "institute")
    other = make_member(http, "employer")
    # in another sector: nothing about care candidates concerns it
    made = http.post("/api/v1/vacancies", json=vacancy_body(), headers=_key(employer))
    assert made.status_code == 201, made.text
    vacancy_id = made.json()["id"]
    http.post(
        "/api/v1/vacancies",
        json=vacancy_body(sector="construction", title="scaffolder", required_skills=[]),
        headers=_key(other),
    )
    sessions = sessionmaker(bind=own_database.engine, expire_on_commit=False)
    embedder = EmbeddingWorker(
        sessions=sessions, embedder=tools.embedder, normaliser=tools.normaliser
    )
    matcher = build_matcher(tools, Settings(database_url=own_database.url))
    settings = Settings(
        database_url=own_database.url, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none"
    )
    notifier = NotificationWorker(
        sessions=sessions, settings=settings, steps=[new_matches.step(sessions, lambda: matcher)]
    )
    embedder.drain()
    notifier.run_once()  # the new vacancy's first look: whatever fits it already
    before = _told(http, employer)

    rows = [
        candidate_body(full_name="Meera Kumari", date_of_birth="1997-03-09"),
        candidate_body(full_name="Ravi Nair", consent_to_share=False),  # employers never see
    ]
    uploaded = http.post("/api/v1/candidates/bulk", json=rows, headers=_key(institute))
    assert uploaded.status_code in (200, 201, 202), uploaded.text
    notifier.run_once()
    assert _told(http, employer) == before  # not before the worker has embedded them
    assert embedder.drain() == 2
    notifier.run_once()

    listed = http.get("/api/v1/candidates?limit=100", headers=_key(institute)).json()["items"]
    consenting = [c["id"] for c in listed if c["full_name"] == "Meera Kumari"]
    [new] = _told(http, employer)[: len(_told(http, employer)) - len(before)]
    assert new == {"vacancy_id": vacancy_id, "candidate_ids": consenting, "count": 1}
    assert _told(http, other) == []

    notifier.run_once()  # nothing new: not told again
    notifier.run_once()
    assert len(_told(http, employer)) == len(before) + 1

    sign_in_client(http, employer)
    assert f"New candidates fit vacancy {vacancy_id} (1)." in http.get("/app/notifications").text

    [email] = [m for m in inbox.to(employer.email) if f"求人 {vacancy_id} に" in m["Subject"]]
    text = email.get_content()
    assert "新たに適合" in text and str(consenting[0]) in text
    assert "Meera" not in text + str(email["Subject"]) and "1997" not in text
    assert "unsubscribe?kind=vacancy.new_matches" in email["List-Unsubscribe"]
