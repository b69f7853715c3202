"""Allocation plans through the HTTP API, as officers and employers use them."""

import pytest


def _plan(api, officer, **scope):
    response = api.client.post("/api/v1/allocations", json=scope, headers=api.auth(officer))
    assert response.status_code == 201, response.text
    return response.json()


def _pairs(plan):
    return sorted((a["vacancy_id"], a["candidate_id"]) for a in plan["assignments"])


def test_the_plan_fills_both_openings_where_greedy_fills_one(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    # Both vacancies would take `fluent` first; only the first will take `basic`.
    fluent = api.candidate(institute, japanese_level="N3")
    basic = api.candidate(institute, japanese_level="N4")
    first = api.vacancy(employer, openings=1, min_japanese_level="N4")
    second = api.vacancy(employer, openings=1, min_japanese_level="N3")
    plan = _plan(api, officer)
    assert (plan["openings"], plan["filled"], plan["greedy_filled"]) == (2, 2, 1)
    assert _pairs(plan) == sorted([(first["id"], basic["id"]), (second["id"], fluent["id"])])
    assert plan["unfilled"] == []
    assert plan["scope"] == {"sector": None, "state": None, "prefecture": None}
    assert "active pipeline" in plan["openings_counted_as"]
    assert plan["total_score"] == pytest.approx(
        sum(a["score"] for a in plan["assignments"]), abs=1e-3
    )
    assert all(a["reasons"] for a in plan["assignments"])
    # Greedy's one pair is the best single one: its score is at least either of ours.
    assert plan["greedy_total_score"] >= max(a["score"] for a in plan["assignments"]) - 1e-9

    again = api.client.get(f"/api/v1/allocations/{plan['id']}", headers=api.auth(officer))
    assert again.status_code == 200 and again.json() == plan
    listed = api.client.get("/api/v1/allocations", headers=api.auth(officer)).json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]] and listed["total"] == 1
    assert "assignments" not in listed["items"][0]


def test_scores_and_reasons_agree_with_the_matches(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    person = api.candidate(institute)
    vacancy = api.vacancy(employer, openings=1)
    [assignment] = _plan(api, officer)["assignments"]
    [match] = api.client.get(
        f"/api/v1/vacancies/{vacancy['id']}/matches", headers=api.auth(employer)
    ).json()["items"]
    assert assignment["candidate_id"] == match["candidate_id"] == person["id"]
    assert assignment["score"] == pytest.approx(match["score"], abs=5e-4)
    assert assignment["reasons"] == match["reasons"]
    assert assignment["reason_codes"] == match["reason_codes"]


def test_unfilled_says_why_and_nobody_is_offered_twice(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    shortlisted = api.candidate(institute)
    free = api.candidate(institute)
    two = api.vacancy(employer, openings=3)
    fluent_only = api.vacancy(employer, openings=1, min_japanese_level="N2")
    response = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": two["id"], "candidate_id": shortlisted["id"]},
        headers=api.auth(employer),
    )
    assert response.status_code == 201, response.text
    plan = _plan(api, officer)
    # 3 openings - 1 in the pipeline = 2 left; the shortlisted person is not offered again.
    assert plan["openings"] == 3 and plan["filled"] == 1
    assert _pairs(plan) == [(two["id"], free["id"])]
    why = {u["vacancy_id"]: (u["openings_left"], u["why_code"]) for u in plan["unfilled"]}
    assert why[two["id"]] == (
        1,
        {"kind": "unfilled_too_few_eligible", "params": {"eligible": 1, "openings": 2}},
    )
    left, code = why[fluent_only["id"]]
    assert left == 1
    assert code == {
        "kind": "unfilled_all_fail_gates",
        "params": {"supply": 1, "failures": [{"gate": "japanese_level", "count": 1}]},
    }
    text = {u["vacancy_id"]: u["why"] for u in plan["unfilled"]}[fluent_only["id"]]
    assert text == (
        "No eligible candidate: of the 1 candidate in this field, 1 fails the Japanese level."
    )


def test_taken_by_better_uses(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    api.candidate(institute)
    first = api.vacancy(employer, openings=1)
    second = api.vacancy(employer, openings=1)
    plan = _plan(api, officer)
    assert plan["filled"] == 1
    [unfilled] = plan["unfilled"]
    assert unfilled["vacancy_id"] in (first["id"], second["id"])
    assert unfilled["why_code"] == {
        "kind": "unfilled_taken_elsewhere",
        "params": {"elsewhere": 1, "eligible": 1, "top_k": 50},
    }
    assert unfilled["why"].startswith("All taken by better uses: 1 of its 1 eligible")


def test_scope_by_state_sector_and_prefecture(api):
    officer = api.org("officer")
    kerala = api.org("institute", state="Kerala")
    up = api.org("institute", state="Uttar Pradesh")
    from_kerala = api.candidate(kerala)
    api.candidate(up)
    aichi = api.org("employer", prefecture="Aichi")
    in_aichi = api.vacancy(aichi, openings=5)
    api.vacancy(api.org("employer", prefecture="Yamanashi"), openings=5)
    plan = _plan(api, officer, state="kerala", prefecture="aichi-ken", sector="care")
    assert plan["scope"] == {"sector": "care", "state": "Kerala", "prefecture": "Aichi"}
    assert plan["openings"] == 5
    assert _pairs(plan) == [(in_aichi["id"], from_kerala["id"])]
    assert _plan(api, officer, sector="agriculture")["openings"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sector": "fishing"}, "sector"),
        ({"state": "Narnia"}, "state"),
        ({"prefecture": "Atlantis"}, "prefecture"),
        ({"sectr": "care"}, "sectr"),
    ],
)
def test_bad_scope_is_a_422_naming_the_field(api, body, field):
    response = api.client.post(
        "/api/v1/allocations", json=body, headers=api.auth(api.org("officer"))
    )
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_only_officers_plan(api):
    for kind in ("institute", "employer"):
        org = api.org(kind)
        assert (
            api.client.post("/api/v1/allocations", json={}, headers=api.auth(org)).status_code
            == 403
        )
        assert api.client.get("/api/v1/allocations", headers=api.auth(org)).status_code == 403
    assert api.client.post("/api/v1/allocations", json={}).status_code == 401
    officer = api.org("officer")
    missing = api.client.get("/api/v1/allocations/999999", headers=api.auth(officer))
    assert missing.status_code == 404 and set(missing.json()) == {"detail", "field"}
    assert api.client.post("/api/v1/allocations", headers=api.auth(officer)).status_code == 201


def test_employers_see_their_proposals_and_accept_one_by_shortlisting(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    person = api.candidate(institute, full_name="Priya Nair")
    vacancy = api.vacancy(employer, openings=1)
    url = f"/api/v1/vacancies/{vacancy['id']}/proposals"
    before = api.client.get(url, headers=api.auth(employer)).json()
    assert before["plan_id"] is None and before["items"] == []
    plan = _plan(api, officer)
    proposals = api.client.get(url, headers=api.auth(employer)).json()
    assert proposals["plan_id"] == plan["id"]
    [item] = proposals["items"]
    assert item["candidate_id"] == person["id"]
    assert item["candidate"]["full_name"] is None and item["candidate"]["date_of_birth"] is None
    assert item["reasons"] == plan["assignments"][0]["reasons"]
    assert item["reason_codes"] == plan["assignments"][0]["reason_codes"]
    assert api.client.get(url, headers=api.auth(api.org("employer"))).status_code == 404
    assert api.client.get(url, headers=api.auth(institute)).status_code == 403
    accepted = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": person["id"]},
        headers=api.auth(employer),
    )
    assert accepted.status_code == 201 and accepted.json()["status"] == "shortlisted"
    [named] = api.client.get(url, headers=api.auth(employer)).json()["items"]
    assert named["candidate"]["full_name"] == "Priya Nair"
    # Withdrawn consent: no longer proposed.
    api.client.patch(
        f"/api/v1/candidates/{person['id']}",
        json={"consent_to_share": False},
        headers=api.auth(institute),
    )
    assert api.client.get(url, headers=api.auth(employer)).json()["items"] == []


def test_proposals_survive_an_erased_placed_person_and_leave_the_placed_out(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    proposed = api.candidate(institute)
    other = api.candidate(institute)
    vacancy = api.vacancy(employer, openings=2)
    plan = _plan(api, officer)
    assert _pairs(plan) == sorted([(vacancy["id"], proposed["id"]), (vacancy["id"], other["id"])])
    # `other` is placed elsewhere, then erased: the placement stays as an anonymised row.
    elsewhere = api.vacancy(employer, openings=1)
    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": elsewhere["id"], "candidate_id": other["id"]},
        headers=api.auth(employer),
    ).json()
    for stage in ("interviewing", "offered", "visa_processing", "placed"):
        moved = api.client.patch(
            f"/api/v1/placements/{placement['id']}",
            json={"status": stage},
            headers=api.auth(employer),
        )
        assert moved.status_code == 200, moved.text
    url = f"/api/v1/vacancies/{vacancy['id']}/proposals"
    assert [
        p["candidate_id"] for p in api.client.get(url, headers=api.auth(employer)).json()["items"]
    ] == [proposed["id"]]
    erased = api.client.delete(f"/api/v1/candidates/{other['id']}", headers=api.auth(institute))
    assert erased.status_code == 204
    items = api.client.get(url, headers=api.auth(employer)).json()["items"]
    assert [p["candidate_id"] for p in items] == [proposed["id"]]
    kept = api.client.get(f"/api/v1/allocations/{plan['id']}", headers=api.auth(officer)).json()
    assert kept["filled"] == 2 and len(kept["assignments"]) == 1
