"""The demand report's tallied supply equals a recount from the rows, after creates,
updates, placements, duplicate decisions and erasure, on both databases."""

from datetime import date

from talentbridge.duplicates import linking
from talentbridge.duplicates.model import LinkageModel
from talentbridge.organisations.models import Organisation
from talentbridge.reports import demand, supply
from talentbridge.reports.supply_models import SupplyChange, SupplyRecord
from talentbridge.reports.supply_recount import recount

SKILLS = ["Assist with personal hygiene", "feed patients", "erect scaffolding"]
FILTERS = [{}, {"sector": "care"}, {"state": "Kerala"}, {"sector": "care", "state": "Bihar"}]


def _served(api, org, **params):
    answer = api.client.get("/api/v1/reports/demand", params=params, headers=api.auth(org))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _recounted(session, org, **params):
    organisation = session.get(Organisation, int(org["id"]))
    report = demand.demand(
        session=session,
        organisation=organisation,
        filters=demand.DemandFilters(**params),
        count_supply=recount,
    )
    return report.model_dump(mode="json")


def _agree(api, session, *orgs):
    for org in orgs:
        for params in FILTERS:
            assert _served(api, org, **params) == _recounted(session, org, **params), params


def _skill(report, name):
    return next(s["candidates"] for s in report["skills"] if s["skill"].casefold() == name)


def _care_test(report):
    return next(
        t["candidates_passed"]
        for t in report["tests"]
        if t["test"] == "Nursing Care Skills Evaluation Test"
    )


def _seventeen() -> str:
    today = date.today()
    return today.replace(year=today.year - 17, day=min(today.day, 28)).isoformat()


def test_tallies_equal_a_recount_through_every_kind_of_change(api, session):
    a, b = api.org("institute"), api.org("institute", state="Kerala")
    officer, employer = api.org("officer"), api.org("employer")
    api.vacancy(employer, openings=3, required_skills=SKILLS[:2], min_japanese_level="N3")
    api.vacancy(
        employer,
        title="scaffolder",
        sector="construction",
        openings=2,
        required_skills=[SKILLS[2]],
        requires_skill_test=True,
    )
    # Other tests' committed records may be in the database: the officer's figures are
    # compared as changes from here.
    hygiene = _skill(_served(api, officer), "assist with personal hygiene")
    asha = api.candidate(
        a,
        full_name="Asha Kumari Verma",
        date_of_birth="1998-04-12",
        skills=["assist with  personal hygiene.", "ASSIST WITH PERSONAL HYGIENE"],
    )
    again = api.candidate(
        b, full_name="Verma Asha Kumari", date_of_birth="1998-12-04", state="Kerala"
    )
    api.candidate(a, japanese_level=None, jft_basic_passed=True, state="Bihar")
    api.candidate(a, japanese_level="N2", skill_test_passed=False)
    api.candidate(
        b,
        state="Kerala",
        sector="construction",
        job_title="scaffolder",
        skills=[SKILLS[2]],
        care_language_test_passed=False,
    )
    minor = api.candidate(a, date_of_birth=_seventeen(), guardian_consent=True)
    _agree(api, session, officer, a, b, employer)
    before = _served(api, officer)
    # two spellings of one skill in one record count once
    assert _skill(before, "assist with personal hygiene") == hygiene + 5

    changed = api.client.patch(
        f"/api/v1/candidates/{minor['id']}",
        json={"japanese_level": "N1", "skills": [SKILLS[2]]},
        headers=api.auth(a),
    )
    assert changed.status_code == 200, changed.text
    _agree(api, session, officer, a, b)

    linking.check(session, [asha["id"], again["id"]], LinkageModel.load())
    listed = api.client.get("/api/v1/duplicates", headers=api.auth(officer)).json()["items"]
    pair = next(p for p in listed if p["candidate_ids"] == [asha["id"], again["id"]])
    decided = api.client.patch(
        f"/api/v1/duplicates/{pair['id']}",
        json={"status": "same_person"},
        headers=api.auth(officer),
    )
    assert decided.status_code == 200, decided.text
    _agree(api, session, officer, a, b)
    assert _skill(_served(api, officer), "feed patients") == _skill(before, "feed patients") - 2
    # (the minor's skills changed, and Asha's second record is the same person)

    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": api.vacancy(employer)["id"], "candidate_id": asha["id"]},
        headers=api.auth(employer),
    )
    assert placement.status_code == 201, placement.text
    placement = placement.json()
    for stage in ("interviewing", "offered", "visa_processing", "placed"):
        moved = api.client.patch(
            f"/api/v1/placements/{placement['id']}",
            json={"status": stage},
            headers=api.auth(employer),
        )
        assert moved.status_code == 200, moved.text
    _agree(api, session, officer, a, b)

    assert _care_test(_served(api, b)) == 1  # B's own figures: its record is not a repeat
    erased = api.client.delete(f"/api/v1/candidates/{again['id']}", headers=api.auth(b))
    assert erased.status_code == 204
    assert session.get(SupplyRecord, again["id"]) is None  # gone with the record, at once
    _agree(api, session, officer, a, b)
    assert _care_test(_served(api, b)) == 0
    assert session.query(SupplyChange).count() == 0  # every change folded in


def test_a_rebuild_gives_the_same_report(api, session):
    institute, officer = api.org("institute"), api.org("officer")
    api.vacancy(api.org("employer"))
    for level in ("N5", "N4", "N3"):
        api.candidate(institute, japanese_level=level)
    first = _served(api, officer)
    assert supply.rebuild(session) >= 3
    assert _served(api, officer) == first == _recounted(session, officer)
