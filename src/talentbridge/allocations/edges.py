"""Each vacancy's top-k eligible candidates, scored as the engine scores them, in batches.

Per sector, a block of vacancies against every candidate of that sector at once: gates
as boolean masks (`gate_masks`), every component (`base_components`, and the skills
overlap of `skill_overlap` as one sparse product), then `argpartition` for the top k.
Knows nothing of the database: columns in, edges out.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from talentbridge.matching.gates import GATE_NAMES as GATES
from talentbridge.matching.gates import gate_masks
from talentbridge.matching.lexical import DocumentFrequencies, bm25
from talentbridge.matching.scoring import COMPONENTS, base_components, soft_occupation_rows

BLOCK_CELLS = 1_000_000  # vacancy x candidate cells scored at once (~8 MB per array)


@dataclass
class Edges:
    """The candidate lists: one entry per (vacancy row, candidate row) edge."""

    vacancy: np.ndarray
    candidate: np.ndarray
    score: np.ndarray
    components: dict[str, np.ndarray]
    eligible: np.ndarray  # per vacancy: how many candidates pass every gate
    supply: np.ndarray  # per vacancy: candidates of its sector in scope
    failing: dict[int, dict[str, int]] = field(default_factory=dict)  # no one eligible: gate → n


def skill_hits(
    required: Sequence[Sequence[str]],
    have: Sequence[frozenset[str]],
    weights: Sequence[Sequence[float]] | None = None,
) -> tuple[csr_matrix, csr_matrix, np.ndarray]:
    """(need, hits, count): need[v, u] is the weight of vacancy v's required key u (its
    `skill_weights`, else 1 each); hits[c, u] is 1 when candidate c has a skill meeting u
    by `skill_overlap`'s rule (the same key, or one containing the other when the
    candidate's is over 3 characters); count[v] is the sum of v's weights."""
    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    for v, keys in enumerate(required):
        weighs = weights[v] if weights is not None and len(weights[v]) == len(keys) else None
        for i, key in enumerate(keys):
            rows.append(v)
            cols.append(vocabulary.setdefault(key, len(vocabulary)))
            values.append(1.0 if weighs is None else float(weighs[i]))
    size = max(len(vocabulary), 1)
    need = csr_matrix(
        (np.asarray(values, dtype=np.float64), (rows, cols)),
        shape=(len(required), size),
        dtype=np.float64,
    )
    joined = "\n".join(vocabulary) + "\n"
    starts = np.cumsum([0] + [len(key) + 1 for key in vocabulary])
    lengths = {len(key) for key in vocabulary}
    meets: dict[str, set[int]] = {}

    def met_by(skill: str) -> set[int]:
        if skill in meets:
            return meets[skill]
        found = {vocabulary[skill]} if skill in vocabulary else set()
        if len(skill) > 3:
            # required keys inside the candidate's skill ...
            for n in lengths:
                for i in range(len(skill) - n + 1):
                    j = vocabulary.get(skill[i : i + n])
                    if j is not None:
                        found.add(j)
            # ... and required keys that contain it
            at = joined.find(skill)
            while at >= 0:
                found.add(int(np.searchsorted(starts, at, side="right")) - 1)
                at = joined.find(skill, at + 1)
        meets[skill] = found
        return found

    hit_rows: list[int] = []
    hit_cols: list[int] = []
    for c, skills in enumerate(have):
        met: set[int] = set()
        for skill in skills:
            met |= met_by(skill)
        hit_rows.extend([c] * len(met))
        hit_cols.extend(met)
    hits = csr_matrix(
        (np.ones(len(hit_rows)), (hit_rows, hit_cols)), shape=(len(have), size), dtype=np.float64
    )
    count = np.asarray(need.sum(axis=1), dtype=np.float64).ravel()
    return need, hits, count


class TopK:
    """Configured once (weights, partnership table, day, k); `edges` scores a whole scope."""

    def __init__(
        self,
        weights: Mapping[str, float],
        partners: np.ndarray,
        today: date,
        k: int = 50,
        *,
        titles: np.ndarray | None = None,
        groups: np.ndarray | None = None,
        words: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None = None,
        frequencies: DocumentFrequencies | None = None,
        expansions: np.ndarray | None = None,
    ) -> None:
        """titles: the engine's title vectors (rows the "title" columns point at); groups:
        each occupation's ISCO group, for the soft occupation fit; words: (the candidates',
        the vacancies') BM25 words, in the rows `edges` gets, with the candidate store's
        document frequencies, for the lexical component; expansions: each vacancy's
        expansion vector (`scoring.expansion`; zeros: none), for the expanded one."""
        self.weights = dict(weights)
        self.partners = partners
        self.today = today
        self.k = k
        self.titles = titles
        self.groups = groups
        self.words = words
        self.frequencies = frequencies
        self.expansions = expansions

    def edges(
        self,
        candidates: Mapping[str, np.ndarray],
        candidate_vectors: np.ndarray,
        candidate_skills: Sequence[frozenset[str]],
        vacancies: Mapping[str, np.ndarray],
        vacancy_vectors: np.ndarray,
        vacancy_skills: Sequence[Sequence[str]],
        *,
        skill_weights: Sequence[Sequence[float]] | None = None,
        fit: np.ndarray | None = None,
        allowed: np.ndarray | None = None,
        progress: Callable[[int], Any] | None = None,
    ) -> Edges:
        """Up to k best eligible candidates per vacancy, with the engine's score and components.
        The k are chosen on every component but the lexical one (BM25 of every pair would
        cost more than the rest together), which is then added to the k chosen.

        `skill_weights[v]`: the weights of vacancy v's required skills (its features'
        `skill_weights`; 1 each when not given).
        `fit[v, o]` is how well vacancy v's title fits occupation o, as the engine's
        `occ_scores` (a row of NaN: unknown, as `occ_scores` = None); `allowed` masks
        candidates out of scope.
        """
        m, n = len(vacancy_skills), len(candidate_skills)
        allowed = np.ones(n, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
        need, hits, count = skill_hits(vacancy_skills, candidate_skills, skill_weights)
        self._vacancies, self._vectors, self._fit = vacancies, vacancy_vectors, fit
        self._dimension = vacancy_vectors.shape[1]
        self._vacancy_titles = self._title_vectors(vacancies["title"], len(vacancy_vectors))
        self._need, self._count = need, count
        found: list[tuple[Any, ...]] = []
        eligible = np.zeros(m, dtype=np.int64)
        supply = np.zeros(m, dtype=np.int64)
        failing: dict[int, dict[str, int]] = {}
        for sector in np.unique(vacancies["sector"]):
            rows = np.flatnonzero(vacancies["sector"] == sector)
            people = np.flatnonzero(allowed & (candidates["sector"] == sector))
            supply[rows] = len(people)
            # Consent and "not placed" do not depend on the vacancy: settle them once. The
            # Japanese level and skills test depend only on two vacancy fields: settle them
            # once per group of vacancies that share those, before any pair is scored.
            ready = people[candidates["consent"][people] & ~candidates["placed"][people]]
            groups: dict[tuple[int, bool], list[int]] = {}
            for row in rows:
                key = (int(vacancies["min_level"][row]), bool(vacancies["requires_test"][row]))
                groups.setdefault(key, []).append(int(row))
            for (level, test), members in sorted(groups.items()):
                chunk_rows = np.asarray(members, dtype=np.int64)
                fit = ready[
                    (candidates["level"][ready] >= level)
                    & (candidates["skill_test"][ready] | (not test))
                ]
                if not len(fit):
                    if progress:
                        progress(len(chunk_rows))
                    continue
                side = _Side(
                    people=fit,
                    columns={name: values[fit][None, :] for name, values in candidates.items()},
                    vectors=np.ascontiguousarray(candidate_vectors[fit]),
                    hits=hits[fit].T.tocsr(),
                    titles=self._title_vectors(candidates["title"][fit], len(fit)),
                )
                block = max(1, BLOCK_CELLS // len(fit))
                for first in range(0, len(chunk_rows), block):
                    chunk = chunk_rows[first : first + block]
                    *edge, per_vacancy = self._block(chunk, side)
                    found.append(tuple(edge))
                    eligible[chunk] = per_vacancy
                    if progress:
                        progress(len(chunk))
            nobody = rows[eligible[rows] == 0]
            if len(nobody):
                failing.update(self._failures(nobody, people, candidates))
        edges = Edges(
            vacancy=_cat([f[0] for f in found], np.int64),
            candidate=_cat([f[1] for f in found], np.int64),
            score=_cat([f[2] for f in found], np.float64),
            components={name: _cat([f[3][name] for f in found], np.float64) for name in COMPONENTS},
            eligible=eligible,
            supply=supply,
            failing=failing,
        )
        self._add_words(edges)
        return edges

    def _add_words(self, edges: Edges) -> None:
        """The lexical component of each chosen edge, as the engine scores it."""
        if self.words is None or self.frequencies is None or not len(edges.vacancy):
            return
        people, jobs = self.words
        lexical = edges.components["lexical"]
        order = np.argsort(edges.vacancy, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(edges.vacancy[order]) != 0])
        for group in np.split(order, starts[1:]):
            query = jobs[int(edges.vacancy[group[0]])]
            lexical[group] = bm25(
                query, [people[int(c)] for c in edges.candidate[group]], self.frequencies
            )
        lexical[:] = np.round(lexical, 4)
        edges.score = np.minimum(edges.score + self.weights.get("lexical", 0.0) * lexical, 1.0)

    def _block(self, chunk: np.ndarray, side: "_Side") -> tuple[Any, ...]:
        """Score one block of vacancies against one sector's candidates; keep the top k."""
        c = side.columns
        shape = (len(chunk), len(side.people))
        v = {name: values[chunk][:, None] for name, values in self._vacancies.items()}
        masks = gate_masks(c, v, self.today)
        eligible = np.ones(shape, dtype=bool)
        for gate in GATES:  # in place: no (gates x block) stack is ever built
            eligible &= masks[gate]
        # (candidates x d) @ (d x block) runs about twice as fast in OpenBLAS as the other way
        # round; one contiguous copy puts it back in (block x candidates) order.
        similarity = np.ascontiguousarray((side.vectors @ self._vectors[chunk].T).T)
        components = base_components(c, v, similarity, self.partners)
        asked = self._vacancy_titles[chunk]
        components["title"] = np.clip(asked @ side.titles.T, 0.0, 1.0)
        components["title_profile"] = np.clip(asked @ side.vectors.T, 0.0, 1.0)
        components["lexical"] = np.zeros(1)
        if self.expansions is not None:
            components["expanded"] = np.clip(self.expansions[chunk] @ side.vectors.T, 0.0, 1.0)
        else:
            components["expanded"] = np.zeros(1)
        if self._fit is not None and self.groups is not None:
            rows_fit = self._fit[chunk]
            known = ~np.isnan(rows_fit[:, 0]) & (np.nan_to_num(rows_fit).max(axis=1) > 0)
            if known.any():
                soft = soft_occupation_rows(
                    np.nan_to_num(rows_fit),
                    self.groups,
                    c["occ"],
                    c["isco"],
                    [(c[f"alt{k}"], c[f"alt{k}_fit"]) for k in (1, 2)],
                )
                components["occupation"] = np.where(known[:, None], soft, components["occupation"])
        overlap = (self._need[chunk] @ side.hits).toarray()
        required = self._count[chunk][:, None]
        components["skills"] = np.where(required > 0, overlap / np.maximum(required, 1), 0.5)
        score = np.zeros(shape)
        for name, values in components.items():
            score += self.weights[name] * values  # broadcasts a vacancy- or candidate-only part
        np.minimum(score, 1.0, out=score)
        score[~eligible] = -np.inf
        kk = min(self.k, len(side.people))
        top = np.argpartition(score, shape[1] - kk, axis=1)[:, shape[1] - kk :]
        top_scores = np.take_along_axis(score, top, axis=1)
        block_rows, slot = np.nonzero(np.isfinite(top_scores))
        picked = top[block_rows, slot]
        parts = {
            name: np.broadcast_to(values, shape)[block_rows, picked]
            for name, values in components.items()
        }
        return (
            chunk[block_rows],
            side.people[picked],
            top_scores[block_rows, slot],
            parts,
            eligible.sum(axis=1),
        )

    def _title_vectors(self, rows: np.ndarray, count: int) -> np.ndarray:
        """The title vector of each record (zeros: no title vector)."""
        if self.titles is None or not len(self.titles):
            return np.zeros((count, self._dimension), dtype=np.float32)
        out: np.ndarray = np.where((rows >= 0)[:, None], self.titles[np.maximum(rows, 0)], 0.0)
        return out.astype(np.float32)

    def _failures(
        self, rows: np.ndarray, people: np.ndarray, candidates: Mapping[str, np.ndarray]
    ) -> dict[int, dict[str, int]]:
        """For vacancies nobody is eligible for: how many of the sector's candidates fail
        each gate (what institutes would have to train for)."""
        c = {name: values[people][None, :] for name, values in candidates.items()}
        v = {name: values[rows][:, None] for name, values in self._vacancies.items()}
        shape = (len(rows), len(people))
        failed = {
            gate: (~np.broadcast_to(mask, shape)).sum(axis=1)
            for gate, mask in gate_masks(c, v, self.today).items()
        }
        return {
            int(row): {gate: int(n[i]) for gate, n in failed.items() if n[i]}
            for i, row in enumerate(rows)
        }


@dataclass
class _Side:
    """One sector's candidates in scope, ready to broadcast against a vacancy block."""

    people: np.ndarray
    columns: dict[str, np.ndarray]
    vectors: np.ndarray
    hits: csr_matrix
    titles: np.ndarray


def _cat(arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)
