"""The matching engine on plain arrays: no database, no model."""

import subprocess
import sys
from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pytest

from talentbridge.matching.engine import MatchingEngine
from talentbridge.matching.explain import Reason, gate_reasons
from talentbridge.matching.features import (
    PREFECTURE_CODE,
    SECTOR_CODE,
    STATE_CODE,
    alternatives,
    skill_keys,
)
from talentbridge.matching.gates import GATE_NAMES, pair_failed_gates
from talentbridge.matching.scoring import soft_occupation

TODAY = date(2026, 11, 1)
START = date(2027, 4, 1)
DIM = 4
WEIGHTS = {
    "semantic": 0.3,
    "occupation": 0.2,
    "skills": 0.2,
    "experience": 0.1,
    "japanese": 0.1,
    "partnership": 0.05,
    "preference": 0.05,
}


def lacking(match: Any, kind: str = "skills_lacking") -> list[str]:
    """The skills a match's reasons of `kind` name as lacking."""
    return [s for r in match.reasons if r.kind == kind for s in r.params["skills"]]


def person(**changes: Any) -> dict[str, Any]:
    """A candidate's features who passes every gate of `job()`; `changes` override."""
    skills = tuple(changes.pop("skills", ("feed patients",)))
    values: dict[str, Any] = {
        "sector": SECTOR_CODE["care"],
        "birth": date(2000, 1, 1).toordinal(),
        "level": 2,
        "skill_test": True,
        "care_lang": True,
        "consent": True,
        "available": date(2027, 1, 1).toordinal(),
        "placed": False,
        "state": STATE_CODE["Kerala"],
        "prefs": 0,
        "occ": -1,
        "isco": -1,
        "experience": 0.0,
        "skills": skills,
        "skill_keys": skill_keys(skills),
        "japanese_level": "N4",
        "jft": False,
        "preferred": (),
        "title": -1,
        "terms": (),
        **alternatives(()),
    }
    values.update(changes)
    return values


def job(**changes: Any) -> dict[str, Any]:
    """A care vacancy's features starting on START; `changes` override."""
    skills = tuple(changes.pop("skills", ()))
    values: dict[str, Any] = {
        "sector": SECTOR_CODE["care"],
        "start": START.toordinal(),
        "cutoff": date(START.year - 18, START.month, START.day).toordinal(),
        "min_level": 2,
        "requires_test": True,
        "open": True,
        "prefecture": PREFECTURE_CODE["Tokyo"],
        "occ": -1,
        "isco": -1,
        "min_experience": 0.0,
        "skills": skills,
        "skill_keys": tuple(s.casefold() for s in skills),
        "skill_weights": (1.0,) * len(skills),
        "title": -1,
        "terms": (),
        **alternatives(()),
    }
    values.update(changes)
    return values


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(DIM, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def engine_with(
    people: Mapping[int, Mapping[str, Any]],
    vectors: Mapping[int, np.ndarray | None] | None = None,
    weights: Mapping[str, float] = WEIGHTS,
) -> MatchingEngine:
    engine = MatchingEngine(weights, DIM)
    for record_id, features in people.items():
        vector = (vectors or {}).get(record_id, unit(1.0))
        engine.candidates.upsert(record_id, vector, features)
    return engine


def ranked(engine: MatchingEngine, vacancy: dict[str, Any], **options: Any) -> list[int]:
    results = engine.rank_candidates(vacancy, unit(1.0), today=TODAY, **options)
    return [m.record_id for m in results]


# --- weights --------------------------------------------------------------------------------
def test_a_weight_decides_which_strength_wins() -> None:
    people = {1: person(experience=5.0), 2: person(experience=0.0)}
    vectors = {1: unit(0.2, 1.0), 2: unit(1.0)}  # 2 is the closer profile, 1 the more experienced
    vacancy = job(min_experience=2.0)
    by_profile = {**WEIGHTS, "semantic": 0.6, "experience": 0.05}
    by_experience = {**WEIGHTS, "semantic": 0.05, "experience": 0.6}
    assert ranked(engine_with(people, vectors, by_profile), vacancy) == [2, 1]
    assert ranked(engine_with(people, vectors, by_experience), vacancy) == [1, 2]


def test_the_score_is_the_weighted_sum_of_the_components() -> None:
    engine = engine_with({1: person(skills=("feed patients", "lift"))})
    [match] = engine.rank_candidates(job(skills=["Feed patients"]), unit(1.0), today=TODAY)
    expected = sum(WEIGHTS.get(name, 0.0) * value for name, value in match.components.items())
    assert match.score == pytest.approx(min(1.0, expected), abs=1e-3)
    assert match.components["skills"] == 1.0
    held = {"held_count": 1, "required_count": 1, "skills": ["Feed patients"]}
    assert Reason("skills_held", held) in match.reasons


def test_an_essential_required_skill_counts_more_and_is_named_when_lacking() -> None:
    people = {1: person(skills=("bathe residents",)), 2: person(skills=("fold laundry",))}
    vacancy = job(skills=["Bathe residents", "Fold laundry"], skill_weights=(2.0, 1.0))
    results = {m.record_id: m for m in engine_with(people).rank_candidates(vacancy, unit(1.0))}
    assert results[1].components["skills"] == pytest.approx(2 / 3, abs=1e-4)
    assert results[2].components["skills"] == pytest.approx(1 / 3, abs=1e-4)
    assert [results[1].rank, results[2].rank] == [1, 2]
    assert lacking(results[1]) == ["Fold laundry"]
    assert lacking(results[1], "essential_skills_lacking") == []
    assert lacking(results[2], "essential_skills_lacking") == ["Bathe residents"]


def test_a_stored_vacancys_essential_skills_count_more_when_ranking_vacancies() -> None:
    engine = MatchingEngine(WEIGHTS, DIM)
    skills = ["Bathe residents", "Fold laundry"]
    engine.vacancies.upsert(1, unit(1.0), job(skills=skills, skill_weights=(2.0, 1.0)))
    engine.vacancies.upsert(2, unit(1.0), job(skills=skills, skill_weights=(1.0, 2.0)))
    results = engine.rank_vacancies(person(skills=("fold laundry",)), unit(1.0), today=TODAY)
    assert [m.record_id for m in results] == [2, 1]
    assert results[0].components["skills"] == pytest.approx(2 / 3, abs=1e-4)
    assert results[1].components["skills"] == pytest.approx(1 / 3, abs=1e-4)
    assert lacking(results[1], "essential_skills_lacking") == ["Bathe residents"]


def test_a_zero_weight_component_does_not_move_the_order() -> None:
    people = {1: person(prefs=0), 2: person(prefs=1 << PREFECTURE_CODE["Tokyo"])}
    weights = {**WEIGHTS, "preference": 0.0}
    assert ranked(engine_with(people, weights=weights), job()) == [1, 2]  # a tie: by id
    assert ranked(engine_with(people), job()) == [2, 1]


# --- ties and the shortlist ------------------------------------------------------------------
def test_ties_are_broken_by_the_lower_id() -> None:
    engine = engine_with({7: person(), 3: person(), 5: person()})
    assert ranked(engine, job()) == [3, 5, 7]
    assert [m.rank for m in engine.rank_candidates(job(), None, today=TODAY)] == [1, 2, 3]


def test_the_limit_keeps_the_best() -> None:
    people = {i: person() for i in range(1, 31)}
    vectors = {i: unit(1.0, i / 10) for i in people}  # 1 is the closest, 30 the farthest
    assert ranked(engine_with(people, vectors), job(), limit=5) == [1, 2, 3, 4, 5]


def test_the_shortlist_cap_can_drop_a_contender_whose_skills_would_lift_it() -> None:
    # 250 people within the skills weight of the top: only the best 200 by their other
    # components are scored for skills, so 250 (the one with the skill) is left out.
    people = {i: person(skills=()) for i in range(1, 251)}
    people[250] = person(skills=("feed patients",))
    vectors = {i: unit(1.0, i / 2000) for i in people}
    vacancy = job(skills=["feed patients"])
    weights = {**WEIGHTS, "skills": 0.5}
    top = ranked(engine_with(people, vectors, weights), vacancy, limit=1)
    assert top == [1]
    # With fewer contenders than the cap, every one is scored and the skilled one wins.
    few = {i: people[i] for i in [*range(1, 150), 250]}
    assert ranked(engine_with(few, vectors, weights), vacancy, limit=1) == [250]


# --- gates -----------------------------------------------------------------------------------
Case = tuple[dict[str, Any], dict[str, Any]]  # (candidate changes, vacancy changes)
FAILING: dict[str, Case] = {
    "sector": ({"sector": SECTOR_CODE["construction"]}, {}),
    "age": ({"birth": date(2010, 6, 1).toordinal()}, {}),
    "skill_test": ({"skill_test": False}, {}),
    "japanese_level": ({"level": 1, "japanese_level": "N5"}, {}),
    "care_language_test": ({"care_lang": False}, {}),
    "consent": ({"consent": False}, {}),
    "availability": ({"available": date(2027, 6, 1).toordinal()}, {}),
    "not_placed": ({"placed": True}, {}),
    "vacancy_open": ({}, {"open": False}),
}
PASSING: dict[str, Case] = {
    "sector": ({"sector": SECTOR_CODE["construction"]}, {"sector": SECTOR_CODE["construction"]}),
    "age": ({"birth": date(2009, 4, 1).toordinal()}, {}),  # 18 on the start date
    "skill_test": ({"skill_test": False}, {"requires_test": False}),
    "japanese_level": ({"level": 3, "japanese_level": "N3"}, {}),
    "care_language_test": (
        {"care_lang": False, "sector": SECTOR_CODE["agriculture"]},
        {"sector": SECTOR_CODE["agriculture"]},
    ),
    "consent": ({}, {}),
    "availability": ({"available": date(2027, 6, 1).toordinal()}, {"start": 0, "cutoff": 0}),
    "not_placed": ({}, {}),
    "vacancy_open": ({}, {}),
}


def test_the_unit_group_of_the_titles_best_occupation_beats_a_weaker_fit_elsewhere() -> None:
    # Occupations 0 and 1 share ISCO unit group 7212; 2 is in 7213 (the same minor group).
    groups = np.asarray([7212, 7212, 7213])
    fits = np.asarray([0.9, 0.2, 0.65], dtype=np.float32)  # the title fits occupation 0 best
    soft = soft_occupation(fits, groups, np.asarray([0, 1, 2]), groups)
    assert soft is not None
    own, sibling, other = soft
    # Another taxonomy's record lands on a sibling of the title's occupation more often
    # than on the occupation itself: the group counts for three quarters of the best fit.
    assert own == pytest.approx(0.9)
    assert sibling == pytest.approx(0.75 * 0.9)
    assert own > sibling > other


def test_every_gate_has_a_failing_and_a_passing_case() -> None:
    assert set(FAILING) == set(PASSING) == set(GATE_NAMES)


@pytest.mark.parametrize("gate", GATE_NAMES)
def test_a_gate_that_fails_excludes_and_is_named(gate: str) -> None:
    candidate, vacancy = FAILING[gate]
    c, v = person(**candidate), job(**vacancy)
    assert pair_failed_gates(c, v, TODAY) == [gate]
    engine = engine_with({1: c})
    assert engine.rank_candidates(v, unit(1.0), today=TODAY) == []
    [match] = engine.rank_candidates(v, unit(1.0), today=TODAY, include_ineligible=True)
    assert match.eligible is False and match.failed_gates == [gate]
    [reason] = gate_reasons(c, v, [gate], TODAY)
    assert reason.kind == f"gate_{gate}" and reason in match.reasons


@pytest.mark.parametrize("gate", GATE_NAMES)
def test_a_gate_that_passes_keeps_the_pair(gate: str) -> None:
    candidate, vacancy = PASSING[gate]
    c, v = person(**candidate), job(**vacancy)
    assert pair_failed_gates(c, v, TODAY) == []
    [match] = engine_with({1: c}).rank_candidates(v, unit(1.0), today=TODAY)
    assert match.eligible is True and match.failed_gates == []


def test_gates_apply_when_ranking_vacancies_too() -> None:
    engine = MatchingEngine(WEIGHTS, DIM)
    engine.vacancies.upsert(1, unit(1.0), job())
    engine.vacancies.upsert(2, unit(1.0), job(open=False))
    engine.vacancies.upsert(3, unit(1.0), job(min_level=3))
    results = engine.rank_vacancies(person(), unit(1.0), today=TODAY, include_ineligible=True)
    assert [(m.record_id, m.failed_gates) for m in results] == [
        (1, []),
        (2, ["vacancy_open"]),
        (3, ["japanese_level"]),
    ]
    assert [m.record_id for m in engine.rank_vacancies(person(), None, today=TODAY)] == [1]


# --- include_ineligible and pending --------------------------------------------------------------
def test_include_ineligible_ranks_every_eligible_one_first() -> None:
    people = {1: person(consent=False), 2: person(), 3: person(skill_test=False)}
    vectors = {1: unit(1.0), 2: unit(0.1, 1.0), 3: unit(1.0)}  # the ineligible are closer
    engine = engine_with(people, vectors)
    assert ranked(engine, job()) == [2]
    everyone = engine.rank_candidates(job(), unit(1.0), today=TODAY, include_ineligible=True)
    assert [m.record_id for m in everyone] == [2, 1, 3]
    assert [m.eligible for m in everyone] == [True, False, False]


def test_always_gates_filter_even_with_include_ineligible() -> None:
    engine = engine_with({1: person(consent=False), 2: person(skill_test=False)})
    results = engine.rank_candidates(
        job(), unit(1.0), today=TODAY, include_ineligible=True, always_gates=("consent",)
    )
    assert [m.record_id for m in results] == [2]


def test_a_record_without_a_vector_is_pending_with_no_similarity() -> None:
    engine = engine_with({1: person(), 2: person()}, {1: None, 2: unit(1.0)})
    results = engine.rank_candidates(job(), unit(1.0), today=TODAY)
    assert [(m.record_id, m.pending) for m in results] == [(2, False), (1, True)]
    assert results[1].components["semantic"] == 0.0


def test_explain_false_gives_no_reasons_and_an_empty_store_nothing() -> None:
    assert MatchingEngine(WEIGHTS, DIM).rank_candidates(job(), unit(1.0), today=TODAY) == []
    [match] = engine_with({1: person()}).rank_candidates(job(), None, today=TODAY, explain=False)
    assert match.reasons == []


def test_the_engine_imports_numpy_and_the_reference_data_only() -> None:
    probe = "import sys, talentbridge.matching.engine; print(*sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    heavy = {"sqlalchemy", "fastapi", "pydantic", "torch", "sentence_transformers", "sklearn"}
    assert not heavy & {name.split(".")[0] for name in loaded}
    ours = [name for name in loaded if name.startswith("talentbridge.")]
    assert all(
        name.startswith(("talentbridge.matching", "talentbridge.reference")) for name in ours
    )
