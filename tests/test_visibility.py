"""One visibility policy: the rule table alone, then the same rules through the HTTP API."""

from datetime import date

import pytest

from talentbridge.visibility import ACTIVE_STAGES, FULL, HIDDEN, View, candidate_view

STAGES = [
    "shortlisted",
    "interviewing",
    "offered",
    "visa_processing",
    "placed",
    "rejected",
    "withdrawn",
]
FORWARD = ["interviewing", "offered", "visa_processing", "placed"]


def _expected(role: str, own: bool, consent: bool, adult: bool, stages: tuple) -> View:
    if role == "officer":
        return FULL
    if role == "institute":
        return FULL if own else HIDDEN
    if not (consent and adult):
        return HIDDEN
    return View(profile=True, identity=any(s not in ("rejected", "withdrawn") for s in stages))


@pytest.mark.parametrize(
    "role,own", [("officer", False), ("institute", True), ("institute", False), ("employer", False)]
)
@pytest.mark.parametrize(
    "stages", [(), *[(s,) for s in STAGES], ("rejected", "offered"), ("withdrawn", "rejected")]
)
@pytest.mark.parametrize("consent", [True, False])
@pytest.mark.parametrize("adult", [True, False])
def test_policy_table(role, own, stages, consent, adult):
    view = candidate_view(role=role, own=own, consent=consent, adult=adult, stages=stages)
    assert view == _expected(role, own, consent, adult, stages)


def test_active_stages_are_every_stage_but_rejected_and_withdrawn():
    assert set(STAGES) - {"rejected", "withdrawn"} == ACTIVE_STAGES


# Through the API, as each role would ---------------------------------------------------


def _matches(api, org, vacancy_id):
    response = api.client.get(
        f"/api/v1/vacancies/{vacancy_id}/matches",
        params={"include_ineligible": "true", "limit": 200},
        headers=api.auth(org),
    )
    assert response.status_code == 200, response.text
    return {m["candidate_id"]: m["candidate"] for m in response.json()["items"]}


def _to_stage(api, institute, employer, placement_id, stage):
    path = {"rejected": ["rejected"], "withdrawn": ["withdrawn"]}.get(
        stage, FORWARD[: FORWARD.index(stage) + 1] if stage in FORWARD else []
    )
    for step in path:
        org = institute if step == "withdrawn" else employer
        moved = api.client.patch(
            f"/api/v1/placements/{placement_id}", json={"status": step}, headers=api.auth(org)
        )
        assert moved.status_code == 200, moved.text


@pytest.mark.parametrize("stage", [None, *STAGES])
@pytest.mark.parametrize("consent", [True, False])
def test_employer_sees_a_name_only_while_active_and_consenting(api, stage, consent):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    person = api.candidate(institute, full_name="Kavya Menon", date_of_birth="1997-03-04")
    vacancy = api.vacancy(employer)
    if stage is not None:
        created = api.client.post(
            "/api/v1/placements",
            json={"vacancy_id": vacancy["id"], "candidate_id": person["id"]},
            headers=api.auth(employer),
        )
        assert created.status_code == 201, created.text
        _to_stage(api, institute, employer, created.json()["id"], stage)
    if not consent:
        withdrawn = api.client.patch(
            f"/api/v1/candidates/{person['id']}",
            json={"consent_to_share": False},
            headers=api.auth(institute),
        )
        assert withdrawn.status_code == 200
    seen = _matches(api, employer, vacancy["id"])
    if not consent:
        assert person["id"] not in seen
    else:
        named = stage not in (None, "rejected", "withdrawn")
        assert seen[person["id"]]["full_name"] == ("Kavya Menon" if named else None)
        assert seen[person["id"]]["date_of_birth"] == ("1997-03-04" if named else None)
    # Officers see everyone, name included; another employer never sees the name.
    assert _matches(api, officer, vacancy["id"])[person["id"]]["full_name"] == "Kavya Menon"
    other = api.org("employer")
    theirs = _matches(api, other, api.vacancy(other)["id"])
    assert (person["id"] in theirs) is consent
    assert all(c["full_name"] is None for c in theirs.values())


def test_reject_then_matches_hides_the_name(api):
    """The sequence from the issue: shortlist, reject, ask for matches again."""
    institute, employer = api.org("institute"), api.org("employer")
    person = api.candidate(institute, full_name="Arjun Rao")
    vacancy = api.vacancy(employer)
    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": person["id"]},
        headers=api.auth(employer),
    ).json()
    assert _matches(api, employer, vacancy["id"])[person["id"]]["full_name"] == "Arjun Rao"
    _to_stage(api, institute, employer, placement["id"], "rejected")
    assert _matches(api, employer, vacancy["id"])[person["id"]]["full_name"] is None


def test_withdrawn_consent_then_matches_shows_nothing(api):
    """The sequence from the issue: shortlisted, consent withdrawn, matches asked again."""
    institute, employer = api.org("institute"), api.org("employer")
    person = api.candidate(institute)
    vacancy = api.vacancy(employer)
    api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": person["id"]},
        headers=api.auth(employer),
    )
    api.client.patch(
        f"/api/v1/candidates/{person['id']}",
        json={"consent_to_share": False},
        headers=api.auth(institute),
    )
    assert _matches(api, employer, vacancy["id"]) == {}
    # Its own institute still sees the person, and the matches for them.
    mine = api.client.get(f"/api/v1/candidates/{person['id']}", headers=api.auth(institute))
    assert mine.status_code == 200 and mine.json()["consent_to_share"] is False


def test_minors_are_never_shown_to_employers(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    today = date.today()
    born = today.replace(year=today.year - 16, day=1).isoformat()
    minor = api.candidate(institute, date_of_birth=born, guardian_consent=True)
    vacancy = api.vacancy(employer, start_date=f"{today.year + 3}-01-01")
    assert minor["id"] not in _matches(api, employer, vacancy["id"])
    assert minor["id"] in _matches(api, officer, vacancy["id"])
