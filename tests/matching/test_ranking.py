"""Rankings on small hand-made cases, through the real API, model and database."""


def _codes(item, kind):
    """The parameters of each of a match's reasons of `kind` (reason_codes: data)."""
    return [r["params"] for r in item["reason_codes"] if r["kind"] == kind]


def _matches(api, org, vacancy_id, **params):
    response = api.client.get(
        f"/api/v1/vacancies/{vacancy_id}/matches", params=params, headers=api.auth(org)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_care_candidate_with_the_right_tests_comes_first(api):
    institute, employer = api.org("institute"), api.org("employer")
    right = api.candidate(
        institute, job_title="care worker", skills=["assist with personal hygiene", "feed patients"]
    )
    no_language_test = api.candidate(institute, care_language_test_passed=False)
    builder = api.candidate(
        institute,
        sector="construction",
        job_title="bricklayer",
        skills=["lay bricks"],
        care_language_test_passed=False,
    )
    vacancy = api.vacancy(employer, title="care worker for elderly residents")
    items = _matches(api, employer, vacancy["id"])
    assert [m["candidate_id"] for m in items] == [right["id"]]
    top = items[0]
    assert top["rank"] == 1 and top["eligible"] is True and 0 < top["score"] <= 1
    assert set(top["components"]) == {
        "semantic",
        "title",
        "title_profile",
        "expanded",
        "lexical",
        "occupation",
        "skills",
        "experience",
        "japanese",
        "partnership",
        "preference",
    }
    everyone = _matches(api, employer, vacancy["id"], include_ineligible="true")
    assert everyone[0]["candidate_id"] == right["id"]
    failed = {m["candidate_id"]: m["failed_gates"] for m in everyone}
    assert failed[no_language_test["id"]] == ["care_language_test"]
    assert "sector" in failed[builder["id"]]


def test_n5_candidate_is_excluded_from_an_n4_vacancy_with_the_reason(api):
    institute, employer = api.org("institute"), api.org("employer")
    n5 = api.candidate(institute, japanese_level="N5")
    vacancy = api.vacancy(employer, min_japanese_level="N4")
    assert _matches(api, employer, vacancy["id"]) == []
    [item] = _matches(api, employer, vacancy["id"], include_ineligible="true")
    assert item["candidate_id"] == n5["id"] and item["eligible"] is False
    assert item["failed_gates"] == ["japanese_level"]
    [gate] = _codes(item, "gate_japanese_level")
    assert gate == {"japanese": {"test": "jlpt", "level": "N5"}, "required": "N4"}


def test_jft_basic_counts_as_n4(api):
    institute, employer = api.org("institute"), api.org("employer")
    jft = api.candidate(institute, japanese_level=None, jft_basic_passed=True)
    vacancy = api.vacancy(employer, min_japanese_level="N4")
    [item] = _matches(api, employer, vacancy["id"])
    assert item["candidate_id"] == jft["id"]
    [meets] = _codes(item, "japanese_meets")
    assert meets["japanese"]["test"] == "jft" and meets["required"] == "N4"


def test_partner_state_candidate_ranks_ahead_of_an_otherwise_equal_one(api):
    employer = api.org("employer", prefecture="Yamanashi")
    partner = api.candidate(api.org("institute", state="Uttar Pradesh"), preferred_prefectures=[])
    other = api.candidate(api.org("institute", state="Kerala"), preferred_prefectures=[])
    vacancy = api.vacancy(employer)
    items = _matches(api, employer, vacancy["id"])
    assert [m["candidate_id"] for m in items] == [partner["id"], other["id"]]
    assert _codes(items[0], "partner_state") == [
        {"state": "Uttar Pradesh", "prefecture": "Yamanashi"}
    ]
    assert _codes(items[1], "partner_state") == []
    assert items[0]["components"]["partnership"] == 1.0
    assert items[1]["components"]["partnership"] == 0.0


def test_gates_age_availability_skill_test_and_consent(api):
    institute, employer = api.org("institute"), api.org("employer")
    minor = api.candidate(institute, date_of_birth="2010-06-01", guardian_consent=True)
    late = api.candidate(institute, available_from="2028-01-01")
    untested = api.candidate(institute, skill_test_passed=False)
    private = api.candidate(institute, consent_to_share=False)
    vacancy = api.vacancy(employer, start_date="2027-04-01")
    officer = api.org("officer")  # officers see everyone; employers neither minors nor private
    failed = {
        m["candidate_id"]: m["failed_gates"]
        for m in _matches(api, officer, vacancy["id"], include_ineligible="true")
    }
    assert failed == {
        minor["id"]: ["age"],
        late["id"]: ["availability"],
        untested["id"]: ["skill_test"],
        private["id"]: ["consent"],
    }
    shown = {
        m["candidate_id"] for m in _matches(api, employer, vacancy["id"], include_ineligible="true")
    }
    assert shown == {late["id"], untested["id"]}


def test_closed_vacancy_matches_nobody(api):
    institute, employer = api.org("institute"), api.org("employer")
    api.candidate(institute)
    vacancy = api.vacancy(employer)
    assert len(_matches(api, employer, vacancy["id"])) == 1
    api.client.patch(
        f"/api/v1/vacancies/{vacancy['id']}", json={"status": "closed"}, headers=api.auth(employer)
    )
    assert _matches(api, employer, vacancy["id"]) == []


def test_employers_see_names_only_once_shortlisted(api):
    institute, employer = api.org("institute"), api.org("employer")
    candidate = api.candidate(institute, full_name="Priya Nair")
    vacancy = api.vacancy(employer)
    [before] = _matches(api, employer, vacancy["id"])
    assert before["candidate"]["full_name"] is None
    assert before["candidate"]["date_of_birth"] is None
    assert before["candidate"]["job_title"] == "care worker"
    api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": candidate["id"]},
        headers=api.auth(employer),
    )
    [after] = _matches(api, employer, vacancy["id"])
    assert after["candidate"]["full_name"] == "Priya Nair"


def test_vacancies_for_a_candidate(api):
    institute = api.org("institute", state="Tamil Nadu")
    candidate = api.candidate(institute, preferred_prefectures=["Ehime"])
    ehime = api.vacancy(api.org("employer", prefecture="Ehime"))
    aichi = api.vacancy(api.org("employer", prefecture="Aichi"))
    farm = api.vacancy(
        api.org("employer", prefecture="Ehime"), sector="agriculture", title="farm worker"
    )
    response = api.client.get(
        f"/api/v1/candidates/{candidate['id']}/matches", headers=api.auth(institute)
    )
    items = response.json()["items"]
    assert [m["vacancy_id"] for m in items] == [ehime["id"], aichi["id"]]
    assert farm["id"] not in [m["vacancy_id"] for m in items]
    assert _codes(items[0], "prefers_prefecture") == [{"prefecture": "Ehime"}]
    other = api.org("institute")
    assert (
        api.client.get(
            f"/api/v1/candidates/{candidate['id']}/matches", headers=api.auth(other)
        ).status_code
        == 404
    )


def test_changes_show_in_the_next_request(api):
    institute, employer = api.org("institute"), api.org("employer")
    candidate = api.candidate(institute, japanese_level="N5")
    vacancy = api.vacancy(employer)
    assert _matches(api, employer, vacancy["id"]) == []
    api.client.patch(
        f"/api/v1/candidates/{candidate['id']}",
        json={"japanese_level": "N3"},
        headers=api.auth(institute),
    )
    [item] = _matches(api, employer, vacancy["id"])
    [exceeds] = _codes(item, "japanese_exceeds")
    assert exceeds == {"japanese": {"test": "jlpt", "level": "N3"}, "required": "N4"}
    api.client.delete(f"/api/v1/candidates/{candidate['id']}", headers=api.auth(institute))
    assert _matches(api, employer, vacancy["id"]) == []


def test_limit_is_validated(api):
    employer = api.org("employer")
    vacancy = api.vacancy(employer)
    for bad in (0, 201, "x"):
        response = api.client.get(
            f"/api/v1/vacancies/{vacancy['id']}/matches",
            params={"limit": bad},
            headers=api.auth(employer),
        )
        assert response.status_code == 422 and response.json()["field"] == "limit"


def test_a_vacancy_without_a_start_date_takes_people_available_later(api):
    institute, employer = api.org("institute"), api.org("employer")
    later = api.candidate(institute, available_from="2027-06-01")
    dated = api.vacancy(employer, start_date="2027-04-01")
    open_ended = api.vacancy(employer, start_date=None)
    assert _matches(api, employer, dated["id"]) == []
    [item] = _matches(api, employer, open_ended["id"])
    assert item["candidate_id"] == later["id"] and item["eligible"] is True
    assert _codes(item, "no_start_date") == [{"available": "2027-06-01"}]
    [vacancy] = api.client.get(
        f"/api/v1/candidates/{later['id']}/matches", headers=api.auth(institute)
    ).json()["items"]
    assert vacancy["vacancy_id"] == open_ended["id"]
