"""Reasons over HTTP in the reader's language (Accept-Language), and always as data."""

import re

from tests.serving.test_reasons import CODE, ENGINE_NAME, JAPANESE

JA = {"Accept-Language": "ja,en;q=0.5"}


def _get(api, org, url, **headers):
    response = api.client.get(url, headers={**api.auth(org), **headers})
    assert response.status_code == 200, response.text
    return response


def _kinds(item):
    return [r["kind"] for r in item["reason_codes"]]


def _clean(sentences):
    for sentence in sentences:
        assert not CODE.search(sentence) and not ENGINE_NAME.search(sentence), sentence


def test_accept_language_ja_gives_japanese_reasons_naming_the_vacancys_own_skills(api):
    institute, employer = api.org("institute"), api.org("employer")
    person = api.candidate(institute, skills=["feed patients", "食事介助"])
    vacancy = api.vacancy(
        employer,
        title="介護職員（特定技能）",
        required_skills=["食事介助", "入浴介助", "feed patients"],
    )
    url = f"/api/v1/vacancies/{vacancy['id']}/matches"
    english = _get(api, employer, url)
    japanese = _get(api, employer, url, **JA)
    assert english.headers["content-language"] == "en"
    assert japanese.headers["content-language"] == "ja"
    assert "accept-language" in japanese.headers["vary"].lower()
    [en], [ja] = english.json()["items"], japanese.json()["items"]
    assert en["candidate_id"] == ja["candidate_id"] == person["id"]
    # The same reasons as data whatever the language; the sentences differ.
    assert en["reason_codes"] == ja["reason_codes"]
    assert len(ja["reasons"]) == len(ja["reason_codes"])
    held = next(r["params"] for r in ja["reason_codes"] if r["kind"] == "skills_held")
    assert held == {"held_count": 2, "required_count": 3, "skills": ["食事介助", "feed patients"]}
    assert "必要なスキル3件のうち2件を保有（食事介助、feed patients）。" in ja["reasons"]
    assert any("入浴介助" in r and "不足" in r for r in ja["reasons"])
    assert any("山梨県" in r for r in ja["reasons"])  # the employer's prefecture, in Japanese
    assert all(JAPANESE.search(r) for r in ja["reasons"])
    assert "Holds 2 of 3 required skills: 食事介助 and feed patients." in en["reasons"]
    _clean(en["reasons"])
    _clean(ja["reasons"])


def test_a_candidates_matches_and_the_ineligible_read_in_japanese(api):
    institute, employer = api.org("institute"), api.org("employer")
    n5 = api.candidate(institute, japanese_level="N5")
    vacancy = api.vacancy(employer, min_japanese_level="N4")
    [item] = _get(
        api, employer, f"/api/v1/vacancies/{vacancy['id']}/matches?include_ineligible=true", **JA
    ).json()["items"]
    assert item["candidate_id"] == n5["id"] and _kinds(item)[0] == "gate_japanese_level"
    assert item["reasons"][0] == "日本語能力（日本語能力試験N5）が求められるN4に達していません。"
    person = api.candidate(institute)
    response = _get(api, institute, f"/api/v1/candidates/{person['id']}/matches", **JA)
    assert response.headers["content-language"] == "ja"
    [match] = response.json()["items"]
    assert "japanese_meets" in _kinds(match) and all(JAPANESE.search(r) for r in match["reasons"])
    _clean(match["reasons"])


def test_a_step_the_gates_forbid_is_explained_in_the_readers_language(api):
    institute, employer = api.org("institute"), api.org("employer")
    builder = api.candidate(
        institute, sector="construction", skill_test_passed=False, care_language_test_passed=False
    )
    vacancy = api.vacancy(employer, sector="care")
    body = {"vacancy_id": vacancy["id"], "candidate_id": builder["id"]}
    refused = api.client.post("/api/v1/placements", json=body, headers={**api.auth(employer), **JA})
    assert refused.status_code == 409 and refused.headers["content-language"] == "ja"
    answer = refused.json()
    assert answer["field"] == "gates" and "sector" in answer["detail"]
    assert [r["kind"] for r in answer["reason_codes"]] == [
        "gate_sector",
        "gate_skill_test",
        "gate_care_language_test",
    ]
    assert answer["reasons"][0] == "建設分野の人材ですが、求人は介護分野です。"
    english = api.client.post("/api/v1/placements", json=body, headers=api.auth(employer))
    assert english.json()["reasons"][0] == "Works in construction; the vacancy is in nursing care."


def test_plans_and_proposals_give_reasons_in_the_readers_language(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    api.candidate(institute)
    vacancy = api.vacancy(employer, openings=1)
    created = api.client.post("/api/v1/allocations", json={}, headers={**api.auth(officer), **JA})
    assert created.status_code == 201 and created.headers["content-language"] == "ja"
    [assignment] = created.json()["assignments"]
    assert all(JAPANESE.search(r) for r in assignment["reasons"])
    plan_id = created.json()["id"]
    english = _get(api, officer, f"/api/v1/allocations/{plan_id}").json()["assignments"][0]
    assert english["reason_codes"] == assignment["reason_codes"]
    assert not any(JAPANESE.search(r) for r in english["reasons"])
    proposals = _get(api, employer, f"/api/v1/vacancies/{vacancy['id']}/proposals", **JA).json()
    [item] = proposals["items"]
    assert item["reasons"] == assignment["reasons"]
    assert item["reason_codes"] == assignment["reason_codes"]
    _clean(item["reasons"])


def test_reason_kinds_are_documented():
    from pathlib import Path

    from talentbridge.matching.reasons import KINDS

    documented = set(
        re.findall(r"`(\w+)`", (Path(__file__).parents[2] / "docs" / "api.md").read_text())
    )
    assert set(KINDS) <= documented, sorted(set(KINDS) - documented)


def test_a_placements_gates_are_explained_before_a_step_is_tried(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    person = api.candidate(institute, japanese_level="N4")
    vacancy = api.vacancy(employer, min_japanese_level="N4")
    shortlisted = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": person["id"]},
        headers=api.auth(employer),
    )
    assert shortlisted.status_code == 201, shortlisted.text
    url = f"/api/v1/placements/{shortlisted.json()['id']}/gates"
    clear = _get(api, employer, url, **JA).json()
    assert clear["failed_gates"] == [] and clear["reasons"] == [] and clear["reason_codes"] == []
    # The vacancy now asks for more Japanese than the person has: the next step would fail.
    raised = api.client.patch(
        f"/api/v1/vacancies/{vacancy['id']}",
        json={"min_japanese_level": "N2"},
        headers=api.auth(employer),
    )
    assert raised.status_code == 200, raised.text
    blocked = _get(api, employer, url, **JA)
    assert blocked.headers["content-language"] == "ja"
    body = blocked.json()
    assert body["blocking_gates"] == ["japanese_level"] and body["waived_gates"] == []
    assert [r["kind"] for r in body["reason_codes"]] == ["gate_japanese_level"]
    assert body["reasons"] == ["日本語能力（日本語能力試験N4）が求められるN2に達していません。"]
    moved = api.client.patch(
        url.removesuffix("/gates"), json={"status": "interviewing"}, headers=api.auth(employer)
    )
    assert moved.status_code == 409 and moved.json()["reason_codes"] == body["reason_codes"]
    waived = api.client.post(
        "/api/v1/placements/overrides",
        json={
            "vacancy_id": vacancy["id"],
            "candidate_id": person["id"],
            "gates": ["japanese_level"],
            "reason": "completed TITP (ii) in care, exempt",
        },
        headers=api.auth(officer),
    )
    assert waived.status_code == 201, waived.text
    after = _get(api, institute, url).json()
    assert after["failed_gates"] == after["waived_gates"] == ["japanese_level"]
    assert after["blocking_gates"] == [] and after["reasons"] == []
    other = api.org("employer")
    assert api.client.get(url, headers=api.auth(other)).status_code == 404
