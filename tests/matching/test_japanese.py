"""Japanese and mixed-script vacancies, on small hand-made cases: the reading, the
occupation, skills met across the two languages and by meaning, the demand report."""

from talentbridge.matching.japanese import english, has_japanese, read
from talentbridge.matching.lexical import terms
from talentbridge.reference import occupation_by_uri


def _label(tools, title, sector):
    [match] = tools.normaliser.normalise([title], [sector])
    return None if match is None else occupation_by_uri(match.uri).label


def test_english_text_is_read_unchanged():
    for text in ("care worker", "Welder (MIG/TIG), 5 years", "", "N4 or above"):
        assert not has_japanese(text)
        assert english(text) == text


def test_japanese_is_read_in_english_without_the_words_that_say_nothing_of_the_work():
    assert english("介護職員（特定技能）") == "care worker"
    assert english("【急募】溶接工　正社員") == "welder"
    reading = read("特別養護老人ホームでの身体介護、食事・入浴介助。日本語N4以上。")
    assert "personal care" in reading.english and "N4" in reading.english
    assert not has_japanese(reading.english)


def test_words_the_glossary_does_not_know_are_kept_for_bm25():
    reading = read("コンビニ店員")
    assert reading.words  # the analyser's words, not dropped
    assert set(reading.words) <= set(terms("コンビニ店員"))
    assert terms("溶接工") == terms("welder")  # the glossed word, stemmed like English


def test_a_japanese_title_gets_its_occupation(tools):
    assert _label(tools, "介護職員（特定技能）", "care") == "social care worker"
    assert _label(tools, "酪農スタッフ", "agriculture") == "livestock worker"
    assert _label(tools, "とび職", "construction") == "construction scaffolder"


def test_a_mixed_script_title_gets_its_occupation(tools):
    assert _label(tools, "溶接工 welder", "manufacturing") == "welder"
    assert _label(tools, "NC旋盤 operator", "manufacturing") is not None


def test_the_three_english_misses_find_their_occupations(tools):
    assert _label(tools, "steel fixer", "construction") == "structural ironworker"
    assert _label(tools, "dairy farm worker", "agriculture") == "livestock worker"
    assert _label(tools, "greenhouse worker", "agriculture") == "horticulture worker"
    assert _label(tools, "stonemason", "construction") == "stonemason"  # still itself


def _matches(api, employer, vacancy):
    response = api.client.get(
        f"/api/v1/vacancies/{vacancy['id']}/matches", headers=api.auth(employer)
    )
    assert response.status_code == 200, response.text
    return {m["candidate_id"]: m for m in response.json()["items"]}


def test_a_japanese_required_skill_is_met_by_the_english_one(api):
    institute, employer = api.org("institute"), api.org("employer")
    feeds = api.candidate(institute, skills=["distribute meals to patients"])
    cleans = api.candidate(institute, skills=["clean rooms"])
    vacancy = api.vacancy(
        employer,
        title="介護職員（特定技能）",
        description="特別養護老人ホームでの身体介護、食事・入浴介助。",
        required_skills=["食事介助"],
    )
    assert vacancy["occupation"] is not None
    matches = _matches(api, employer, vacancy)
    assert matches[feeds["id"]]["components"]["skills"] == 1.0
    assert matches[cleans["id"]]["components"]["skills"] == 0.0
    assert matches[feeds["id"]]["rank"] < matches[cleans["id"]]["rank"]
    # The reasons name the skill in the employer's own words.
    assert any("食事介助" in reason for reason in matches[feeds["id"]]["reasons"])


def test_an_english_skill_is_met_by_meaning_not_spelling(api):
    institute, employer = api.org("institute"), api.org("employer")
    person = api.candidate(institute, skills=["distribute meals to patients"])
    vacancy = api.vacancy(employer, required_skills=["feed patients"])
    assert _matches(api, employer, vacancy)[person["id"]]["components"]["skills"] == 1.0


def test_a_japanese_vacancy_is_classified_in_the_demand_report(api):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    api.candidate(institute, job_title="care worker")
    api.vacancy(employer, title="care worker", openings=1)
    api.vacancy(employer, title="介護職員（特定技能）", openings=2)
    response = api.client.get(
        "/api/v1/reports/demand", params={"sector": "care"}, headers=api.auth(officer)
    )
    assert response.status_code == 200, response.text
    [occupation] = response.json()["occupations"]  # both vacancies, one occupation
    assert occupation["occupation"] != "unclassified title"
    assert occupation["openings"] == 3 and occupation["eligible_candidates"] == 1
