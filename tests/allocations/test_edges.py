"""The batched candidate lists agree with the engine's own ranking, pair for pair."""

import random
from datetime import date

import numpy as np
import pytest

from talentbridge.allocations.edges import TopK
from talentbridge.benchmarks import engine as bench
from talentbridge.config import Settings
from talentbridge.matching.engine import MatchingEngine
from talentbridge.matching.features import VACANCY_COLUMNS
from talentbridge.reference import esco_occupations

TODAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def engine():
    # Plans leave out the lexical component (BM25 of every pair costs more than the rest):
    # compared with an engine that gives it no weight.
    weights = {**Settings().weights.normalised(), "lexical": 0.0}
    engine = MatchingEngine(
        weights,
        bench.DIMENSION,
        occupation_groups=[int(o.isco_group) for o in esco_occupations()],
    )
    bench.fill(engine, 4000, seed=7)
    r = random.Random(3)
    vectors = bench._unit(np.random.default_rng(3), 60)
    for i in range(60):
        job = bench.vacancy(r)
        # Essential and other required skills mixed, so a weighting the two sides did not
        # share would show.
        job["skill_weights"] = tuple(2.0 if j % 2 else 1.0 for j in range(len(job["skills"])))
        engine.vacancies.upsert(i + 1, vectors[i], job)
    return engine


def _lists(engine, k, fit=None):
    c, v = engine.candidates, engine.vacancies
    titles = engine.titles.vectors[: len(engine.titles)]
    groups = engine.occupation_groups
    return TopK(engine.weights, engine.partners, TODAY, k, titles=titles, groups=groups).edges(
        {name: c.column(name) for name in c.dtypes},
        c.live_vectors(),
        c.objects["skill_keys"],
        {name: v.column(name) for name in VACANCY_COLUMNS},
        v.live_vectors(),
        v.objects["skill_keys"],
        skill_weights=v.objects["skill_weights"],
        fit=fit,
    )


@pytest.mark.parametrize("with_title_fit", [False, True])
def test_top_k_equals_the_engines_ranking(engine, with_title_fit):
    v = engine.vacancies
    rng = np.random.default_rng(5)
    occ_scores = rng.random((len(v), len(esco_occupations()))).astype(np.float32)
    fit = occ_scores if with_title_fit else None
    edges = _lists(engine, 10, fit)
    for row in range(len(v)):
        query = {name: v.column(name)[row] for name in VACANCY_COLUMNS}
        query["skill_keys"] = v.objects["skill_keys"][row]
        query["skill_weights"] = v.objects["skill_weights"][row]
        query["terms"] = v.objects["terms"][row]
        query["title_vector"] = engine.titles.vectors[query["title"]]
        if with_title_fit:
            query["occ_scores"] = occ_scores[row]
        ranked = engine.rank_candidates(
            query, v.live_vectors()[row], limit=10, today=TODAY, explain=False
        )
        mine = edges.vacancy == row
        ours = dict(
            zip(engine.candidates.ids[edges.candidate[mine]], edges.score[mine], strict=True)
        )
        theirs = {m.record_id: m.score for m in ranked}
        assert edges.eligible[row] >= len(theirs) == len(ours)
        # The same score for every pair both list ...
        for record_id in set(ours) & set(theirs):
            assert ours[record_id] == pytest.approx(theirs[record_id], abs=2e-4)
        # ... and a list at least as good, place by place: the batch scores every eligible
        # candidate, where the engine's shortlist keeps at most 200 contenders.
        for mine_score, engine_score in zip(
            sorted(ours.values(), reverse=True), sorted(theirs.values(), reverse=True), strict=True
        ):
            assert mine_score >= engine_score - 2e-4


def test_scope_mask_and_the_gate_everyone_fails(engine):
    c = engine.candidates
    everyone = _lists(engine, 5)
    assert (everyone.eligible > 0).all()
    nobody_consents = np.zeros(len(c), dtype=bool)
    none = TopK(engine.weights, engine.partners, TODAY, 5).edges(
        {name: c.column(name) for name in c.dtypes},
        c.live_vectors(),
        c.objects["skill_keys"],
        {name: engine.vacancies.column(name) for name in VACANCY_COLUMNS},
        engine.vacancies.live_vectors(),
        engine.vacancies.objects["skill_keys"],
        allowed=nobody_consents,
    )
    assert len(none.vacancy) == 0 and (none.supply == 0).all()
