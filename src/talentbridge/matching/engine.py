"""Gate, score and explain: candidates for a vacancy, vacancies for a candidate.

Knows nothing of HTTP, tenancy or the database: features in, ranked results out.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from talentbridge.matching.explain import component_reasons, gate_reasons
from talentbridge.matching.features import (
    CANDIDATE_COLUMNS,
    CANDIDATE_OBJECTS,
    CARE,
    VACANCY_COLUMNS,
    VACANCY_OBJECTS,
    adult_cutoff,
    partnership_table,
)
from talentbridge.matching.store import ColumnStore

GATES = (
    "sector",
    "age",
    "skill_test",
    "japanese_level",
    "care_language_test",
    "consent",
    "availability",
    "not_placed",
    "vacancy_open",
)
MIX = 0.2  # discrete occupation match vs graded fit of the title to the occupation
COMPONENTS = (
    "semantic",
    "occupation",
    "skills",
    "experience",
    "japanese",
    "partnership",
    "preference",
)


@dataclass
class Match:
    record_id: int
    rank: int
    score: float
    eligible: bool
    components: dict[str, float]
    reasons: list[str]
    failed_gates: list[str] = field(default_factory=list)
    pending: bool = False  # the stored side's vector is not computed yet: no semantic score


def gate_masks(c: Mapping[str, Any], v: Mapping[str, Any], today: date) -> dict[str, np.ndarray]:
    """Each SSW gate as a boolean (array): True where the pair passes it."""
    start = np.where(v["start"] > 0, v["start"], today.toordinal())
    cutoff = np.where(v["cutoff"] > 0, v["cutoff"], adult_cutoff(today))
    return {
        "sector": c["sector"] == v["sector"],
        "age": c["birth"] <= cutoff,
        "skill_test": ~v["requires_test"] | c["skill_test"],
        "japanese_level": c["level"] >= v["min_level"],
        "care_language_test": (v["sector"] != CARE) | c["care_lang"],
        "consent": np.asarray(c["consent"]),
        # No start date: the job starts as soon as a suitable person is available.
        "availability": (v["start"] <= 0) | (c["available"] <= start),
        "not_placed": ~np.asarray(c["placed"]),
        "vacancy_open": np.asarray(v["open"]),
    }


def pair_failed_gates(
    candidate: Mapping[str, Any], vacancy: Mapping[str, Any], today: date
) -> list[str]:
    """The gates one candidate fails for one vacancy, from their feature dicts (the same
    rules the ranking applies, so the pipeline and the matches cannot disagree)."""
    c: dict[str, np.ndarray] = {
        name: np.asarray(candidate[name], dtype=t) for name, t in CANDIDATE_COLUMNS.items()
    }
    v: dict[str, np.ndarray] = {
        name: np.asarray(vacancy[name], dtype=t) for name, t in VACANCY_COLUMNS.items()
    }
    return [gate for gate, passed in gate_masks(c, v, today).items() if not bool(passed)]


def base_components(
    c: Mapping[str, Any],
    v: Mapping[str, Any],
    similarity: np.ndarray,
    partners: np.ndarray,
    fit: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every component but skills, vectorised over whichever side is an array."""
    same_occ = (c["occ"] >= 0) & (c["occ"] == v["occ"])
    same_group = (c["isco"] >= 0) & (c["isco"] == v["isco"])
    same_minor = (c["isco"] >= 0) & (c["isco"] // 10 == v["isco"] // 10)
    occupation = np.where(same_occ, 1.0, np.where(same_group, 0.6, np.where(same_minor, 0.3, 0.0)))
    if fit is not None:
        # How well the query's title fits the stored side's occupation, relative to its best fit.
        occupation = MIX * occupation + (1 - MIX) * fit
    need = np.maximum(v["min_experience"], 0.0)
    have = c["experience"]
    experience = np.where(
        have >= need,
        0.7 + 0.3 * np.minimum(1.0, (have - need) / 3.0),
        0.7 * have / np.maximum(need, 1e-9),
    )
    headroom = np.maximum(5 - v["min_level"], 1)
    japanese = np.where(
        c["level"] >= v["min_level"], 0.5 + 0.5 * (c["level"] - v["min_level"]) / headroom, 0.0
    )
    prefecture_bit = np.left_shift(np.uint64(1), np.asarray(v["prefecture"]).astype(np.uint64))
    prefers = (np.asarray(c["prefs"]) & prefecture_bit) != 0
    preference = np.where(prefers, 1.0, np.where(np.asarray(c["prefs"]) == 0, 0.5, 0.0))
    return {
        "semantic": np.clip(similarity, 0.0, 1.0),
        "occupation": occupation,
        "experience": experience,
        "japanese": japanese,
        "partnership": partners[c["state"], v["prefecture"]],
        "preference": preference,
    }


def skill_overlap(required: Sequence[str], have: frozenset[str]) -> tuple[float, list[int]]:
    """Share of required skills the candidate lists (exact or one contains the other)."""
    if not required:
        return 0.5, []
    hits = [
        i
        for i, need in enumerate(required)
        if need in have or any(need in skill or skill in need for skill in have if len(skill) > 3)
    ]
    return len(hits) / len(required), hits


class MatchingEngine:
    """Two column stores (candidates, vacancies) and the ranking over them."""

    def __init__(
        self,
        weights: Mapping[str, float],
        dimension: int,
        occupation_labels: Sequence[str] = (),
        isco_labels: Mapping[str, str] | None = None,
    ):
        self.weights = {name: float(weights.get(name, 0.0)) for name in COMPONENTS}
        self.candidates = ColumnStore(CANDIDATE_COLUMNS, dimension, CANDIDATE_OBJECTS)
        self.vacancies = ColumnStore(VACANCY_COLUMNS, dimension, VACANCY_OBJECTS)
        self.occupation_labels = occupation_labels
        self.isco_labels = isco_labels or {}
        self.partners = partnership_table()

    # candidates for one vacancy -------------------------------------------------------
    def rank_candidates(
        self,
        vacancy: Mapping[str, Any],
        vector: np.ndarray | None,
        *,
        limit: int = 20,
        include_ineligible: bool = False,
        today: date | None = None,
        explain: bool = True,
        always_gates: Sequence[str] = (),
    ) -> list[Match]:
        """always_gates: gates that filter even when include_ineligible is asked for."""
        store = self.candidates
        if not len(store):
            return []
        c = {name: store.column(name) for name in CANDIDATE_COLUMNS}
        v: dict[str, np.ndarray] = {
            name: np.asarray(vacancy[name], dtype=dtype) for name, dtype in VACANCY_COLUMNS.items()
        }
        return self._rank(
            store,
            c,
            v,
            vacancy,
            vector,
            limit,
            include_ineligible,
            today or date.today(),
            lambda row: (vacancy["skill_keys"], store.objects["skill_keys"][row]),
            explain,
            always_gates,
        )

    # vacancies for one candidate ------------------------------------------------------
    def rank_vacancies(
        self,
        candidate: Mapping[str, Any],
        vector: np.ndarray | None,
        *,
        limit: int = 20,
        include_ineligible: bool = False,
        today: date | None = None,
        explain: bool = True,
    ) -> list[Match]:
        store = self.vacancies
        if not len(store):
            return []
        c: dict[str, np.ndarray] = {
            name: np.asarray(candidate[name], dtype=dtype)
            for name, dtype in CANDIDATE_COLUMNS.items()
        }
        v = {name: store.column(name) for name in VACANCY_COLUMNS}
        return self._rank(
            store,
            c,
            v,
            candidate,
            vector,
            limit,
            include_ineligible,
            today or date.today(),
            lambda row: (store.objects["skill_keys"][row], candidate["skill_keys"]),
            explain,
        )

    def _fit(self, store, query, sub_c, sub_v):  # type: ignore[no-untyped-def]
        """The query title's fit to each stored row's occupation, best = 1 (None if unknown)."""
        scores = query.get("occ_scores")
        if scores is None or not len(scores) or scores.max() <= 0:
            return None
        occ = (sub_c if store is self.candidates else sub_v)["occ"]
        return np.where(occ >= 0, scores[np.maximum(occ, 0)] / scores.max(), 0.0)

    def _rank(  # type: ignore[no-untyped-def]
        self,
        store,
        c,
        v,
        query,
        vector,
        limit,
        include_ineligible,
        today,
        skills_of,
        explain,
        always_gates=(),
    ):
        shape = (len(store),)
        masks = {g: np.broadcast_to(m, shape) for g, m in gate_masks(c, v, today).items()}
        eligible = np.logical_and.reduce(list(masks.values()))
        if not include_ineligible:
            pool = np.flatnonzero(eligible)
        elif always_gates:
            pool = np.flatnonzero(np.logical_and.reduce([masks[g] for g in always_gates]))
        else:
            pool = np.arange(len(store))
        if not len(pool):
            return []
        vectors = store.live_vectors()
        if vector is None:
            similarity = np.zeros(len(pool), dtype=np.float32)
        elif len(pool) * 3 < len(store):
            similarity = _gathered_similarity(vectors, pool, vector)
        else:
            # One contiguous BLAS pass is far cheaper than gathering a large subset first.
            similarity = (vectors @ vector)[pool]
        sub_c = _take(c, pool)
        sub_v = _take(v, pool)
        parts = {
            name: np.broadcast_to(values, pool.shape)
            for name, values in base_components(
                sub_c, sub_v, similarity, self.partners, self._fit(store, query, sub_c, sub_v)
            ).items()
        }
        w = self.weights
        partial = sum(w[name] * parts[name] for name in parts)
        # Eligible first: ineligible rows are pushed below every eligible one.
        order_key = partial + np.where(eligible[pool], 2.0, 0.0)
        shortlist = _shortlist(order_key, limit, w["skills"])
        scored = []
        for i in shortlist:
            row = int(pool[i])
            required, have = skills_of(row)
            overlap, _ = skill_overlap(required, have)
            scored.append((float(order_key[i] + w["skills"] * overlap), i, overlap))
        scored.sort(key=lambda item: (-item[0], int(store.ids[pool[item[1]]])))
        results = []
        for rank, (_, i, overlap) in enumerate(scored[:limit], start=1):
            row = int(pool[i])
            components = {name: round(float(parts[name][i]), 4) for name in parts}
            components["skills"] = round(overlap, 4)
            score = sum(w[name] * components[name] for name in COMPONENTS)
            failed = [g for g, m in masks.items() if not m[row]]
            reasons = []
            if explain:
                pair = explain_pair(store, row, c, v, query)
                reasons = gate_reasons(*pair, failed, today) + component_reasons(
                    *pair,
                    components,
                    self.occupation_labels,
                    self.isco_labels,
                    store is self.candidates,
                )
            results.append(
                Match(
                    record_id=int(store.ids[row]),
                    rank=rank,
                    score=round(min(1.0, score), 4),
                    eligible=not failed,
                    components=components,
                    reasons=reasons,
                    failed_gates=failed,
                    pending=not bool(store.embedded[row]),
                )
            )
        return results


def _row_values(store: ColumnStore, row: int, side: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: (column[row] if np.ndim(column) else column) for name, column in side.items()}
    values.update({name: objects[row] for name, objects in store.objects.items()})
    return values


def explain_pair(
    store: ColumnStore,
    row: int,
    c: Mapping[str, Any],
    v: Mapping[str, Any],
    query: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (candidate, vacancy) values of one result row, for the reasons."""
    if set(store.dtypes) == set(CANDIDATE_COLUMNS):
        return _row_values(store, row, c), dict(query)
    return dict(query), _row_values(store, row, v)


GATHER_BLOCK = 8192  # rows gathered per product: small enough to stay in cache


def _gathered_similarity(vectors: np.ndarray, pool: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Similarity of the pool's rows only, gathered in cache-sized blocks.

    Measured on 400,000 rows, one BLAS thread: for a pool of 15 % of the rows this takes
    20 ms against 35 ms for one big gather and 42 ms for a pass over every row; past about
    a third of the rows the full pass wins.
    """
    out = np.empty(len(pool), dtype=np.float32)
    for start in range(0, len(pool), GATHER_BLOCK):
        rows = pool[start : start + GATHER_BLOCK]
        out[start : start + len(rows)] = vectors[rows] @ vector
    return out


def _take(side: Mapping[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {name: (values[rows] if values.ndim else values) for name, values in side.items()}


def _shortlist(partial: np.ndarray, limit: int, skills_weight: float) -> np.ndarray:
    """Rows that could still make the top `limit` once skills (worth ≤ skills_weight) are added."""
    if len(partial) <= limit:
        return np.arange(len(partial))
    kth = np.partition(partial, len(partial) - limit)[len(partial) - limit]
    contenders = np.flatnonzero(partial + skills_weight >= kth)
    cap = max(limit * 10, 200)
    if len(contenders) > cap:
        contenders = contenders[np.argpartition(partial[contenders], -cap)[-cap:]]
    return contenders
