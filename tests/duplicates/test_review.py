"""Officers review pairs; institutes see only their own; what a decision changes."""

import pytest
from sqlalchemy import select

from talentbridge.audit.models import AuditEntry
from talentbridge.duplicates import linking
from talentbridge.duplicates.model import LinkageModel

MODEL = LinkageModel.load()
ASHA = {"full_name": "Asha Kumari Verma", "date_of_birth": "1998-04-12"}
# the same woman as another institute wrote her down: family name first, day and month swapped
ASHA_AGAIN = {"full_name": "Verma Asha Kumari", "date_of_birth": "1998-12-04"}


def _check(session, *candidates):
    linking.check(session, [c["id"] for c in candidates], MODEL)


def _pairs(api, org, **query):
    response = api.client.get("/api/v1/duplicates", params=query, headers=api.auth(org))
    assert response.status_code == 200, response.text
    return response.json()


def _pair_of(api, officer, one, other):
    wanted = [one["id"], other["id"]]
    return next(p for p in _pairs(api, officer)["items"] if p["candidate_ids"] == wanted)


def _decide(api, officer, pair_id, status):
    response = api.client.patch(
        f"/api/v1/duplicates/{pair_id}", json={"status": status}, headers=api.auth(officer)
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def two_institutes(api, session):
    """Institute A holds Asha twice (a duplicate within its own records), B once."""
    a, b, officer = api.org("institute"), api.org("institute"), api.org("officer")
    a1 = api.candidate(a, **ASHA)
    a2 = api.candidate(a, full_name="Asha K. Verma", date_of_birth="1998-04-12")
    b1 = api.candidate(b, **ASHA_AGAIN)
    other = api.candidate(b, full_name="Rohit Mishra", date_of_birth="1990-01-30")
    _check(session, a1, a2, b1, other)
    return a, b, officer, a1, a2, b1


def test_officers_list_pairs_best_first_and_paged(api, two_institutes):
    _, _, officer, a1, a2, b1 = two_institutes
    found = _pairs(api, officer, status="open")
    pairs = {tuple(p["candidate_ids"]) for p in found["items"]}
    assert pairs == {(a1["id"], a2["id"]), (a1["id"], b1["id"]), (a2["id"], b1["id"])}
    scores = [p["score"] for p in found["items"]]
    assert scores == sorted(scores, reverse=True) and min(scores) >= MODEL.threshold
    first = found["items"][0]
    assert set(first) >= {"id", "candidate_ids", "score", "reasons", "status"}
    assert {r["kind"] for r in first["reasons"]} >= {"name", "birth_date"}
    page = _pairs(api, officer, status="open", limit=1, offset=1)
    assert page["total"] == 3 and page["items"] == [found["items"][1]]


def test_employers_are_refused_and_a_bad_status_names_the_field(api, two_institutes):
    employer = api.org("employer")
    listed = api.client.get("/api/v1/duplicates", headers=api.auth(employer))
    assert listed.status_code == 403
    _, _, officer, *_ = two_institutes
    bad = api.client.get("/api/v1/duplicates?status=maybe", headers=api.auth(officer))
    assert bad.status_code == 422 and "status" in bad.text
    pair = _pairs(api, officer)["items"][0]
    wrong = api.client.patch(
        f"/api/v1/duplicates/{pair['id']}", json={"status": "merged"}, headers=api.auth(officer)
    )
    assert wrong.status_code == 422 and "status" in wrong.text


def test_an_institute_learns_nothing_of_another_institutes_records(api, two_institutes):
    a, b, officer, a1, a2, b1 = two_institutes
    own = _pairs(api, a)
    assert [p["candidate_ids"] for p in own["items"]] == [[a1["id"], a2["id"]]]
    assert own["total"] == 1
    assert _pairs(api, b) == {"items": [], "total": 0, "limit": 50, "offset": 0}
    cross = next(p for p in _pairs(api, officer)["items"] if b1["id"] in p["candidate_ids"])
    # another institute's pair answers exactly as no pair at all
    hidden = api.client.get(f"/api/v1/duplicates/{cross['id']}", headers=api.auth(a))
    missing = api.client.get("/api/v1/duplicates/99999999", headers=api.auth(a))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(cross["id"]), "N") == missing.json()[
        "detail"
    ].replace("99999999", "N")
    for pair_id in (cross["id"], 99999999):
        refused = api.client.patch(
            f"/api/v1/duplicates/{pair_id}", json={"status": "same_person"}, headers=api.auth(a)
        )
        assert refused.status_code == 403
    # an officer's decision about B's record changes nothing A can see of its own
    before = api.client.get("/api/v1/reports/demand", headers=api.auth(a)).json()
    _decide(api, officer, cross["id"], "same_person")
    after = api.client.get("/api/v1/reports/demand", headers=api.auth(a)).json()
    assert before == after
    own_pair = api.client.get(f"/api/v1/duplicates/{own['items'][0]['id']}", headers=api.auth(a))
    assert own_pair.status_code == 200
    assert [r["id"] for r in own_pair.json()["records"]] == [a1["id"], a2["id"]]


def test_a_decision_is_audited_and_can_be_taken_back(api, session, two_institutes):
    _, _, officer, a1, _, b1 = two_institutes
    pair = _pair_of(api, officer, a1, b1)
    decided = _decide(api, officer, pair["id"], "same_person")
    assert decided["status"] == "same_person" and decided["decided_at"]
    assert [p["id"] for p in _pairs(api, officer, status="same_person")["items"]] == [pair["id"]]
    assert _decide(api, officer, pair["id"], "different_people")["status"] == "different_people"
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "duplicate_decision")
    ).all()
    assert {e.entity_id for e in entries} == {a1["id"], b1["id"]}
    assert {e.organisation_id for e in entries} == {int(officer["id"])}
    # a later check of the records leaves the decision standing
    _check(session, a1, b1)
    assert _pairs(api, officer, status="different_people")["total"] == 1


def _shortlist(api, employer, vacancy, candidate):
    return api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": candidate["id"]},
        headers=api.auth(employer),
    )


def _place(api, employer, vacancy, candidate):
    placement = _shortlist(api, employer, vacancy, candidate)
    assert placement.status_code == 201, placement.text
    for stage in ("interviewing", "offered", "visa_processing", "placed"):
        moved = api.client.patch(
            f"/api/v1/placements/{placement.json()['id']}",
            json={"status": stage},
            headers=api.auth(employer),
        )
        assert moved.status_code == 200, moved.text
    return placement.json()


def test_a_second_placement_of_one_person_is_refused(api, two_institutes):
    _, _, officer, a1, _, b1 = two_institutes
    pair = _pair_of(api, officer, a1, b1)
    _decide(api, officer, pair["id"], "same_person")
    employer = api.org("employer")
    first, second = api.vacancy(employer), api.vacancy(employer)
    _place(api, employer, first, a1)
    refused = _shortlist(api, employer, second, b1)
    assert refused.status_code == 409
    assert refused.json()["field"] == "candidate_id"
    assert "already in a placement as another record" in refused.json()["detail"]


def test_the_reports_count_one_person_once_and_follow_a_reversal(api, two_institutes):
    _, _, officer, a1, _, b1 = two_institutes
    pair = _pair_of(api, officer, a1, b1)

    def supply():
        report = api.client.get("/api/v1/reports/demand", headers=api.auth(officer)).json()
        return {t["test"]: t["candidates_passed"] for t in report["tests"]}

    unplaced = supply()
    _decide(api, officer, pair["id"], "same_person")
    once = supply()
    assert all(once[t] == unplaced[t] - 1 for t in unplaced if unplaced[t])
    _decide(api, officer, pair["id"], "open")
    assert supply() == unplaced

    employer = api.org("employer")
    _place(api, employer, api.vacancy(employer), a1)
    _place(api, employer, api.vacancy(employer), b1)  # both placed before anyone decided

    def placed():
        report = api.client.get("/api/v1/reports/progress", headers=api.auth(officer)).json()
        care = next(s for s in report["by_sector"] if s["key"] == "care")
        return report["placed"], report["goal"]["placed"], care["placed"]

    twice = placed()
    _decide(api, officer, pair["id"], "same_person")
    assert placed() == tuple(n - 1 for n in twice)
    _decide(api, officer, pair["id"], "different_people")
    assert placed() == twice


def test_erasing_one_record_keeps_the_other_and_removes_its_pairs(api, two_institutes):
    a, _, officer, a1, a2, b1 = two_institutes
    erased = api.client.delete(f"/api/v1/candidates/{a1['id']}", headers=api.auth(a))
    assert erased.status_code == 204
    left = [p["candidate_ids"] for p in _pairs(api, officer)["items"]]
    assert left == [[a2["id"], b1["id"]]]
    kept = api.client.get(f"/api/v1/candidates/{a2['id']}", headers=api.auth(a))
    assert kept.status_code == 200
