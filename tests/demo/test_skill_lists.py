"""The demo's skill lists are real ESCO skills that a worker in the occupation would list."""

import json

import pytest

from talentbridge import reference
from talentbridge.demo.vocabulary import DATA_DIR
from talentbridge.matching.skills import SkillVocabulary

DATA = json.loads((DATA_DIR / "occupations.json").read_text(encoding="utf-8"))
LISTS = [
    (sector, occupation, skills)
    for sector, by_occupation in DATA["skills"].items()
    for occupation, skills in by_occupation.items()
]


@pytest.mark.parametrize(("sector", "occupation", "skills"), LISTS)
def test_each_list_is_exact_esco_skills_of_its_sector(sector, occupation, skills):
    assert occupation in DATA["weights"][sector], "a list for an occupation the demo never draws"
    sector_skills = {
        skill
        for o in reference.esco_occupations()
        if o.sector == sector
        for skill in (*o.essential_skills, *o.optional_skills)
    }
    assert set(skills) <= sector_skills
    matches = SkillVocabulary(None).normalise(skills)
    assert all(m is not None and m.how == "exact" for m in matches)
    assert len(set(skills)) == len(skills) >= 8, "the demo draws up to 8 skills per candidate"


@pytest.mark.parametrize("sector", ["care", "agriculture"])
def test_every_care_worker_and_farm_hand_has_a_practical_list(sector):
    assert set(DATA["skills"][sector]) == set(DATA["weights"][sector])
    listed = {skill for skills in DATA["skills"][sector].values() for skill in skills}
    assert not listed & {"promote social change", "social justice", "social sciences"}


def test_a_welder_lists_welding_processes():
    assert {
        "perform metal active gas welding",
        "perform tungsten inert gas welding",
        "apply arc welding techniques",
    } <= set(DATA["skills"]["manufacturing"]["welder"])
