"""The officers' review of likely duplicates over HTTP (SQLite and PostgreSQL): a
transliteration variant at two institutes is listed with its reasons in plain words, the
two records side by side, "Same person" decided with the form (audited with the person),
the pair leaves the open list and the counts follow; institutes and employers get 404; a
form without its CSRF token is refused."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.audit.models import AuditEntry
from talentbridge.duplicates import linking
from talentbridge.duplicates.compare import LEVELS
from talentbridge.duplicates.model import LinkageModel
from talentbridge.web.duplicates import OUTCOMES, outcome
from talentbridge.web.i18n import Translator
from tests.conftest import Database, candidate_body
from tests.web.conftest import Member, make_member, sign_in_client

MODEL = LinkageModel.load()
IMRAN = {"full_name": "Mohammed Imran Ansari", "date_of_birth": "1996-03-21"}
# the same man as another institute wrote him down
IMRAN_AGAIN = {"full_name": "Md. Imran Ansari", "date_of_birth": "1996-03-21"}


def _bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def _candidate(http: TestClient, institute: Member, **fields: str) -> int:
    made = http.post(
        "/api/v1/candidates", json=candidate_body(**fields), headers=_bearer(institute)
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _pair(http: TestClient, database: Database) -> tuple[Member, Member, int]:
    """Two institutes' records of one man, checked as the background checker does; the pair."""
    one, other = make_member(http, "institute"), make_member(http, "institute")
    ids = [_candidate(http, one, **IMRAN), _candidate(http, other, **IMRAN_AGAIN)]
    with Session(database.engine) as session:
        linking.check(session, ids, MODEL)
        session.commit()
    officer = make_member(http, "officer")
    listed = http.get("/api/v1/duplicates?limit=500", headers=_bearer(officer)).json()["items"]
    found = [p["id"] for p in listed if p["candidate_ids"] == ids]
    assert found, "the duplicate check did not list the pair"
    return one, other, found[0]


def _counts(html: str) -> dict[str, int]:
    tabs = re.findall(r"(Open|Same person|Different people) \((\d+)\)", html)
    return {label: int(n) for label, n in tabs}


def test_an_officer_decides_a_transliteration_variant_is_one_person(
    web_client: TestClient, database: Database
) -> None:
    one, other, pair_id = _pair(web_client, database)
    officer = make_member(web_client, "officer", name="Keiko Sato")
    csrf = sign_in_client(web_client, officer)
    listing = web_client.get("/app/duplicates?lang=en")
    assert listing.status_code == 200
    assert 'href="/app/duplicates"' in listing.text  # in the officers' navigation
    row = listing.text[listing.text.index(f'href="/app/duplicates/{pair_id}"') :]
    row = row[: row.index("</tr>")]
    assert "Mohammed Imran Ansari" in row and "Md. Imran Ansari" in row
    for institute in (one, other):
        name = web_client.get("/api/v1/organisations/me", headers=_bearer(institute)).json()
        assert name["name"] in row
    assert re.search(r"\d{2}\.\d%", row), "the score is a plain percentage"
    assert "The same birth date" in row and "birth_date" not in row and "weight" not in row
    before = _counts(listing.text)

    page = web_client.get(f"/app/duplicates/{pair_id}")
    assert page.status_code == 200
    assert page.text.count("Mar 21, 1996") == 2  # the birth date as the locale writes it
    for shown in ("Mohammed Imran Ansari", "Md. Imran Ansari", "Nursing care", "care worker"):
        assert shown in page.text
    assert "Not decided yet." in page.text and "Reopen" not in page.text
    japanese = web_client.get(f"/app/duplicates/{pair_id}?lang=ja").text
    assert "1996/03/21" in japanese and "生年月日が同じ" in japanese and "同一人物" in japanese
    web_client.get("/app/duplicates?lang=en")

    refused = web_client.post(f"/app/duplicates/{pair_id}/decide", data={"status": "same_person"})
    assert refused.status_code == 403 and "This form could not be sent" in refused.text
    bad = web_client.post(
        f"/app/duplicates/{pair_id}/decide", data={"status": "merged", "csrf_token": csrf}
    )
    assert bad.status_code == 422 and 'href="#decision"' in bad.text
    pair = web_client.get(f"/api/v1/duplicates/{pair_id}", headers=_bearer(officer)).json()
    assert pair["status"] == "open"

    decided = web_client.post(
        f"/app/duplicates/{pair_id}/decide",
        data={"status": "same_person", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    shown = web_client.get(decided.headers["location"]).text
    assert "Recorded: the two records are one person." in shown
    assert "Decided: Same person" in shown and "Reopen" in shown
    pair = web_client.get(f"/api/v1/duplicates/{pair_id}", headers=_bearer(officer)).json()
    assert pair["status"] == "same_person"
    with Session(database.engine) as session:
        audited = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "duplicate_decision",
                AuditEntry.entity_id.in_(pair["candidate_ids"]),
            )
        ).all()
    assert {(e.entity_id, e.organisation_id, e.user_id) for e in audited} == {
        (c, officer.organisation_id, officer.user_id) for c in pair["candidate_ids"]
    }

    listing = web_client.get("/app/duplicates").text
    assert f'href="/app/duplicates/{pair_id}"' not in listing
    after = _counts(listing)
    assert after["Open"] == before["Open"] - 1
    assert after["Same person"] == before["Same person"] + 1
    decided_list = web_client.get("/app/duplicates?status=same_person").text
    assert f'href="/app/duplicates/{pair_id}"' in decided_list

    reopened = web_client.post(
        f"/app/duplicates/{pair_id}/decide", data={"status": "open", "csrf_token": csrf}
    )
    assert "The decision has been taken back" in reopened.text
    assert _counts(web_client.get("/app/duplicates").text) == before


def test_only_officers_see_the_review(web_client: TestClient, database: Database) -> None:
    one, _, pair_id = _pair(web_client, database)
    csrf = sign_in_client(web_client, one)
    for path in ("/app/duplicates", f"/app/duplicates/{pair_id}"):
        answer = web_client.get(path)
        assert answer.status_code == 404 and "Page not found" in answer.text
    refused = web_client.post(
        f"/app/duplicates/{pair_id}/decide", data={"status": "same_person", "csrf_token": csrf}
    )
    assert refused.status_code == 404
    assert 'href="/app/duplicates"' not in web_client.get("/app/candidates").text
    employer = make_member(web_client, "employer")
    sign_in_client(web_client, employer)
    assert web_client.get("/app/duplicates").status_code == 404
    officer = make_member(web_client, "officer")
    sign_in_client(web_client, officer)
    missing = web_client.get("/app/duplicates/99999999")
    assert missing.status_code == 404 and "Page not found" in missing.text
    pair = web_client.get(f"/api/v1/duplicates/{pair_id}", headers=_bearer(officer)).json()
    assert pair["status"] == "open"


def test_every_level_of_every_comparison_has_plain_words() -> None:
    for kind, levels in LEVELS.items():
        for level in levels:
            assert (kind, level) in OUTCOMES, f"no sentence for {kind} {level}"
    # a level the page does not know yet still says which way it points, in words
    english, japanese = Translator("en"), Translator("ja")
    new = {"kind": "name", "params": {"level": "nickname", "weight": 3.2}}
    assert outcome(english, new) == "Name: points to one person"
    assert outcome(japanese, {"kind": "phone", "params": {"weight": -1}}) == (
        "その他の比較項目：別人である可能性を高める"
    )
