"""The demand report through the HTTP API, for institutes, officers and employers."""

import csv
import io

import pytest


def _demand(api, org, **params):
    response = api.client.get("/api/v1/reports/demand", params=params, headers=api.auth(org))
    assert response.status_code == 200, response.text
    return response.json()


def _by(rows, key):
    return {row[key]: row for row in rows}


def test_a_skill_under_two_spellings_is_counted_once(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    api.vacancy(employer, openings=2, required_skills=["Assist with personal hygiene"])
    api.vacancy(employer, openings=3, required_skills=["assist-with  personal hygiene."])
    api.candidate(institute, skills=["ASSIST WITH PERSONAL HYGIENE"])
    api.candidate(institute, skills=["feed patients"])
    [skill] = _demand(api, officer)["skills"]
    assert skill == {
        "skill": skill["skill"],
        "vacancies": 2,
        "openings": 5,
        "candidates": 1,
        "gap": 4,
    }
    assert skill["skill"] in ("Assist with personal hygiene", "assist-with  personal hygiene.")


def test_an_institute_sees_only_its_own_supply_and_an_employer_none(api):
    mine, theirs = api.org("institute"), api.org("institute", state="Kerala")
    employer, officer = api.org("employer"), api.org("officer")
    api.vacancy(employer, openings=4, required_skills=["feed patients"])
    api.candidate(mine, skills=["feed patients"])
    for _ in range(2):
        api.candidate(theirs, skills=["feed patients"])

    def supply(org, **params):
        report = _demand(api, org, **params)
        return _by(report["skills"], "skill")["feed patients"], report

    skill, report = supply(mine)
    assert (skill["candidates"], skill["gap"]) == (1, 3)
    assert report["supply"] == "your candidates not yet placed"
    assert supply(officer)[0]["candidates"] == 3
    assert supply(officer, state="kerala")[0]["candidates"] == 2
    assert supply(officer, state="kerala")[1]["scope"]["state"] == "Kerala"
    skill, report = supply(employer)
    assert skill["openings"] == 4 and skill["candidates"] is None and skill["gap"] is None
    assert report["japanese_levels"][0]["candidates_at_or_above"] is None
    assert report["supply"] == "none: employers see demand only"


def test_levels_tests_and_occupations(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    api.vacancy(employer, title="care worker", openings=2, min_japanese_level="N3")
    api.vacancy(employer, title="care worker", openings=1, min_japanese_level="N4")
    api.candidate(institute, job_title="care worker", japanese_level="N3")
    api.candidate(institute, job_title="care worker", japanese_level=None, jft_basic_passed=True)
    api.candidate(institute, job_title="care worker", skill_test_passed=False)
    report = _demand(api, officer, sector="care")
    levels = _by(report["japanese_levels"], "level")
    assert [row["level"] for row in report["japanese_levels"]] == ["N5", "N4", "N3", "N2", "N1"]
    assert levels["N3"] == {"level": "N3", "openings_requiring": 2, "candidates_at_or_above": 1}
    assert levels["N4"] == {"level": "N4", "openings_requiring": 1, "candidates_at_or_above": 3}
    assert levels["N2"]["openings_requiring"] == 0
    tests = _by(report["tests"], "test")
    assert set(tests) == {
        "Nursing Care Skills Evaluation Test",
        "Nursing Care Japanese Language Evaluation Test",
    }
    assert tests["Nursing Care Skills Evaluation Test"] == {
        "test": "Nursing Care Skills Evaluation Test",
        "openings_requiring": 3,
        "candidates_passed": 2,
    }
    [occupation] = report["occupations"]
    # The untested candidate is not eligible; the other two meet the SSW baseline.
    assert occupation["openings"] == 3
    assert (occupation["eligible_candidates"], occupation["shortfall"]) == (2, 1)


def test_placed_candidates_and_filled_openings_are_not_counted(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    vacancy = api.vacancy(employer, openings=2, required_skills=["feed patients"])
    person = api.candidate(institute, skills=["feed patients"])
    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": person["id"]},
        headers=api.auth(employer),
    ).json()
    for stage in ("interviewing", "offered", "visa_processing", "placed"):
        moved = api.client.patch(
            f"/api/v1/placements/{placement['id']}",
            json={"status": stage},
            headers=api.auth(employer),
        )
        assert moved.status_code == 200, moved.text
    [skill] = _demand(api, officer)["skills"]
    assert (skill["openings"], skill["candidates"], skill["gap"]) == (1, 0, 1)


def test_csv_has_one_table(api):
    institute, employer = api.org("institute"), api.org("employer")
    api.vacancy(employer, openings=2, required_skills=["feed patients"])
    api.candidate(institute, skills=["feed patients"])
    response = api.client.get("/api/v1/reports/demand.csv", headers=api.auth(institute))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["section", "name", "vacancies", "openings", "supply", "gap"]
    assert ["skill", "feed patients", "1", "2", "1", "1"] in rows
    assert {row[0] for row in rows[1:]} == {"skill", "occupation", "japanese_level", "test"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sector": "fishing"}, "sector"),
        ({"state": "Narnia"}, "state"),
        ({"prefecture": "X"}, "prefecture"),
    ],
)
def test_bad_filters_are_422_naming_the_field(api, params, field):
    response = api.client.get(
        "/api/v1/reports/demand", params=params, headers=api.auth(api.org("officer"))
    )
    assert response.status_code == 422 and response.json()["field"] == field


def test_a_key_is_needed(api):
    assert api.client.get("/api/v1/reports/demand").status_code == 401
    assert api.client.get("/api/v1/reports/demand.csv").status_code == 401
