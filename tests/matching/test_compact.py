"""The store's compact vectors (int8 codes, a scale per row) against float32, and the work a
ranking does: in proportion to its answer, not to the store or to how many rows tie."""

import numpy as np

from talentbridge.matching.engine import SHORTLIST_CAP, MatchingEngine
from talentbridge.matching.features import SECTOR_CODE
from talentbridge.matching.store import quantise
from tests.matching.test_engine import TODAY, job, person

DIM = 384
PROFILE = {"semantic": 0.5, "expanded": 0.2, "title_profile": 0.3}
SEMANTIC = {"semantic": 1.0}


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _filled(vectors: np.ndarray, features: list[dict], weights: dict[str, float]) -> MatchingEngine:
    engine = MatchingEngine(weights, DIM)
    engine.candidates.extend(list(range(1, len(vectors) + 1)), list(vectors), features)
    return engine


def test_compact_vectors_rescored_exactly_give_float32s_top_20() -> None:
    rng = np.random.default_rng(20261207)
    vectors = _unit(rng, 20_000)
    engine = _filled(vectors, [person() for _ in vectors], SEMANTIC)
    assert engine.candidates.nbytes() < vectors.nbytes / 3  # a byte per dimension and a scale

    def exact(ids):  # as the database gives them back
        return {i: vectors[i - 1] for i in ids}

    for q in range(5):
        profile = _unit(rng, 1)[0]
        vacancy = job()
        found = engine.rank_candidates(
            vacancy, profile, limit=20, today=TODAY, explain=False, exact_vectors=exact
        )
        float32 = np.clip(vectors @ profile, 0.0, 1.0)
        expected = np.lexsort((np.arange(len(vectors)), -float32))[:20] + 1
        assert [m.record_id for m in found] == expected.tolist(), f"query {q}"
        # Without the float32 vectors the shortlist is scored from the codes: within 2e-3.
        decoded = engine.rank_candidates(vacancy, profile, limit=20, today=TODAY, explain=False)
        semantic = np.clip(vectors[[m.record_id - 1 for m in decoded]] @ profile, 0.0, 1.0)
        reported = np.array([m.components["semantic"] for m in decoded])
        assert np.abs(reported - semantic).max() < 2e-3


def test_quantised_rows_decode_within_a_step_of_each_component() -> None:
    vectors = _unit(np.random.default_rng(3), 100)
    codes, scales = quantise(vectors)
    assert codes.dtype == np.int8 and scales.dtype == np.float32
    decoded = codes.astype(np.float32) * scales[:, None]
    assert np.all(np.abs(decoded - vectors) <= scales[:, None] / 2 + 1e-7)
    zero_codes, zero_scale = quantise(np.zeros(DIM, dtype=np.float32))
    assert not zero_codes.any() and zero_scale[0] == 0


def _store(one_title: bool, identical: bool = False, n: int = 12_000) -> MatchingEngine:
    """n candidates in four sectors: every one of one occupation and title (one_title), or
    of many; identical: one vector for all, so every key ties."""
    rng = np.random.default_rng(7)
    sectors = list(SECTOR_CODE.values())
    vectors = np.repeat(_unit(rng, 1), n, axis=0) if identical else _unit(rng, n)
    occupations = rng.integers(0, 50, n)
    features = [
        person(
            sector=SECTOR_CODE["care"] if one_title else sectors[i % len(sectors)],
            occ=0 if one_title else int(occupations[i]),
            title=0 if one_title else int(occupations[i]),
            skills=("feed patients",) if one_title else (f"skill {occupations[i]}",),
        )
        for i in range(n)
    ]
    engine = _filled(vectors, features, {**PROFILE, "occupation": 0.4, "skills": 0.2})
    for title in _unit(rng, 50):
        engine.titles.add(f"title {len(engine.titles)}", title)
    engine.occupation_groups = np.full(50, 5321, dtype=np.int32)
    return engine


def _work(engine: MatchingEngine, **asked: object) -> tuple[dict[str, int], list[int]]:
    rng = np.random.default_rng(11)
    scores = np.zeros(50, dtype=np.float32)
    scores[0] = 0.9
    vacancy = job(skills=["feed patients"], occ=0, occ_scores=scores, title=0)
    vacancy.update(title_vector=engine.titles.vectors[0], expansion=_unit(rng, 1)[0])
    work: dict[str, int] = {}
    found = engine.rank_candidates(vacancy, _unit(rng, 1)[0], today=TODAY, work=work, **asked)
    return work, [m.record_id for m in found]


def test_one_title_for_everyone_costs_what_varied_titles_cost() -> None:
    one, _ = _work(_store(one_title=True))
    varied, _ = _work(_store(one_title=False))
    # The varied store's vacancy reads its own sector's rows only; the one-title store's
    # sector is everyone, so it scans four times the rows (what a brute force reads for
    # each) but shortlists, scores skills and words for, and explains no more.
    assert varied["gated"] == 12_000 // 4
    assert one["gated"] == 12_000
    assert one["scanned"] <= one["gated"] and varied["scanned"] <= varied["gated"]
    for work in (one, varied):
        assert work["shortlisted"] <= SHORTLIST_CAP
        assert work["explained"] == 20


def test_a_store_where_every_key_ties_still_shortlists_no_more_and_picks_the_lowest_ids() -> None:
    work, ids = _work(_store(one_title=True, identical=True))
    assert work["shortlisted"] == SHORTLIST_CAP
    assert ids == list(range(1, 21))  # ties go to the lower record id


def test_only_the_asked_sector_and_the_standing_gates_rows_are_gated() -> None:
    engine = _store(one_title=False)
    engine.candidates.upsert(1, None, person(consent=False, sector=SECTOR_CODE["care"]))
    work, ids = _work(engine)
    assert work["gated"] == 12_000 // 4 - 1  # the one without consent never reaches the gates
    assert 1 not in ids
    every, _ = _work(engine, include_ineligible=True)
    assert every["gated"] == 12_000  # asked for the ineligible too: every row is gated
