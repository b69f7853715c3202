"""Gate, score and explain: candidates for a vacancy, vacancies for a candidate.

Knows nothing of HTTP, tenancy or the database: features in, ranked results out.
The gates live in `gates`, the components in `scoring`, the sentences in `explain`;
this module ranks one store against one query record with them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, TypedDict, Unpack

import numpy as np

from talentbridge.matching.explain import Reason, component_reasons, gate_reasons
from talentbridge.matching.features import (
    CANDIDATE_COLUMNS,
    CANDIDATE_OBJECTS,
    VACANCY_COLUMNS,
    VACANCY_OBJECTS,
    partnership_table,
)
from talentbridge.matching.gates import BY_NAME as GATES_BY_NAME
from talentbridge.matching.gates import GATE_NAMES, gate_masks, pair_failed_gates
from talentbridge.matching.lexical import bm25
from talentbridge.matching.scoring import (
    COMPONENTS,
    base_components,
    skill_overlap,
    soft_occupation,
)
from talentbridge.matching.shortlist import (
    SHORTLIST_CAP,
    ExactVectors,
    Taken,
    exact_vectors,
    shortlist,
)
from talentbridge.matching.store import ColumnStore, TitleMatrix

__all__ = [  # what callers import from here; each is owned by the module named above
    "COMPONENTS",
    "GATE_NAMES",
    "SHORTLIST_CAP",
    "ExactVectors",
    "Match",
    "MatchingEngine",
    "base_components",
    "gate_masks",
    "pair_failed_gates",
    "skill_overlap",
]

Features = Mapping[str, Any]  # one record's features, as features.py makes them
Vector = np.ndarray | None  # its unit vector; None when not embedded yet

# The gates that read the stored side alone, by whether the stored side is the candidates':
# their mask is worked out once per change of the store, not per request.
STANDING = {True: ("consent", "not_placed"), False: ("vacancy_open",)}


@dataclass
class Match:
    record_id: int
    rank: int
    score: float
    eligible: bool
    components: dict[str, float]
    reasons: list[Reason]  # data: the application renders them in the reader's language
    failed_gates: list[str] = field(default_factory=list)
    pending: bool = False  # the stored side's vector is not computed yet: no semantic score


class RankOptions(TypedDict, total=False):
    """The keyword arguments of `rank_vacancies`; what they mean and default to: `Options`."""

    limit: int
    include_ineligible: bool
    today: date | None
    explain: bool
    work: dict[str, int]
    exact_vectors: ExactVectors


class CandidateRankOptions(RankOptions, total=False):
    """The keyword arguments of `rank_candidates`."""

    always_gates: Sequence[str]


@dataclass(frozen=True)
class Options:
    limit: int = 20  # results wanted
    include_ineligible: bool = False  # rank pairs failing a gate too, below every eligible one
    today: date | None = None  # the day the gates are checked on (None: today)
    explain: bool = True  # give each result its reasons
    always_gates: Sequence[str] = ()  # gates that filter even with include_ineligible
    # Filled with how many rows each stage touched (gated, scanned, shortlisted, explained):
    # what tests assert on instead of wall time.
    work: dict[str, int] | None = None
    # The shortlist's float32 vectors by record id, from where they are kept (the database);
    # None, or an id it does not return: the store's decoded codes.
    exact_vectors: "ExactVectors | None" = None


@dataclass(frozen=True)
class Ranking:
    """One ranking request: the store ranked, the query record, and both sides' columns
    (the stored side as arrays over the store, the query's as 0-d arrays)."""

    store: ColumnStore
    stored_are_candidates: bool
    query: Mapping[str, Any]
    c: dict[str, np.ndarray]
    v: dict[str, np.ndarray]
    options: Options
    today: date

    @property
    def stored(self) -> dict[str, np.ndarray]:
        return self.c if self.stored_are_candidates else self.v

    def skills(self, row: int) -> tuple[Sequence[str], frozenset[str], Sequence[float] | None]:
        """(the vacancy's required skill keys, the candidate's skill keys, the required
        skills' weights) for one row."""
        theirs = self.store.objects["skill_keys"][row]
        if self.stored_are_candidates:
            return self.query["skill_keys"], theirs, self.query.get("skill_weights")
        return theirs, self.query["skill_keys"], self.store.objects["skill_weights"][row]

    def pair(self, row: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The (candidate, vacancy) values of one stored row and the query, for reasons."""
        values = {name: column[row] for name, column in self.stored.items()}
        values.update({name: objects[row] for name, objects in self.store.objects.items()})
        if self.stored_are_candidates:
            return values, dict(self.query)
        return dict(self.query), values


class Scored(NamedTuple):
    """A shortlisted row once its skills are scored."""

    key: float  # what the results are ordered by: eligible first, then the weighted score
    position: int  # in the pool
    overlap: float  # the skills component
    skill_hits: list[int]  # which of the vacancy's required skills the candidate meets
    lexical: float  # the lexical component


class MatchingEngine:
    """Two column stores (candidates, vacancies) and the ranking over them."""

    def __init__(
        self,
        weights: Mapping[str, float],
        dimension: int,
        occupation_labels: Sequence[str] = (),
        isco_labels: Mapping[str, str] | None = None,
        occupation_groups: Sequence[int] = (),
    ):
        self.weights = {name: float(weights.get(name, 0.0)) for name in COMPONENTS}
        self.candidates = ColumnStore(CANDIDATE_COLUMNS, dimension, CANDIDATE_OBJECTS)
        self.vacancies = ColumnStore(VACANCY_COLUMNS, dimension, VACANCY_OBJECTS)
        self.titles = TitleMatrix(dimension)
        self.occupation_labels = occupation_labels
        self.isco_labels = isco_labels or {}
        self.occupation_groups = np.asarray(occupation_groups, dtype=np.int32)
        self.partners = partnership_table()

    def rank_candidates(
        self, vacancy: Features, vector: Vector, **options: Unpack[CandidateRankOptions]
    ) -> list[Match]:
        """Candidates for one vacancy (its features and vector), best first."""
        return self._rank(self._ranking(True, vacancy, Options(**options)), vector)

    def rank_vacancies(
        self, candidate: Features, vector: Vector, **options: Unpack[RankOptions]
    ) -> list[Match]:
        """Vacancies for one candidate (their features and vector), best first."""
        return self._rank(self._ranking(False, candidate, Options(**options)), vector)

    def _ranking(
        self, stored_are_candidates: bool, query: Mapping[str, Any], options: Options
    ) -> Ranking:
        store = self.candidates if stored_are_candidates else self.vacancies
        stored = {name: store.column(name) for name in store.dtypes}
        asked_types = VACANCY_COLUMNS if stored_are_candidates else CANDIDATE_COLUMNS
        asked: dict[str, np.ndarray] = {
            name: np.asarray(query[name], dtype=t) for name, t in asked_types.items()
        }
        c, v = (stored, asked) if stored_are_candidates else (asked, stored)
        return Ranking(
            store, stored_are_candidates, query, c, v, options, options.today or date.today()
        )

    def _rank(self, ranking: Ranking, vector: np.ndarray | None) -> list[Match]:
        """Gate, score the pool in one pass, shortlist, work the shortlist out exactly.

        The pool (the rows that may appear) comes from precomputed masks: the stored rows
        of the query's sector that pass the gates needing only the stored side (consent,
        not placed, open), then the query's own gates over those rows alone. The pool gets
        one key: the components worked out per distinct value (occupation, title, level,
        state...) and looked up, plus one product of the compact vectors with the weighted
        sum of the query's vectors. Only the shortlist gets every component, each query
        vector exactly, skills, BM25 and, for the results, reasons."""
        options = ranking.options
        store = ranking.store
        work = options.work if options.work is not None else {}
        if not len(store):
            return []
        rows, masks = self._pool(ranking)
        work["gated"] = work.get("gated", 0) + int(rows.size if rows is not None else len(store))
        pool = rows if rows is not None else np.arange(len(store))
        if options.include_ineligible:
            eligible = np.logical_and.reduce(list(masks.values()))[pool]
        else:
            eligible = np.ones(len(pool), dtype=np.bool_)
        if not len(pool):
            return []
        asked = self._profile_queries(ranking, vector)
        key = self._partial(ranking, pool)
        # Added on the shortlist: skills and words (worth at most their weights), and the
        # codes' rounding (each row's product is within `slack` of the float32 one).
        later = self.weights["skills"] + self.weights["lexical"]
        if asked:
            mixed = np.sum([self.weights[name] * q for name, q in asked.items()], axis=0)
            key += store.similarity(rows, mixed.astype(np.float32))
            later += store.rounding_bound(mixed)
            work["scanned"] = work.get("scanned", 0) + len(pool)
        # Eligible first: ineligible rows are pushed below every eligible one.
        key += np.where(eligible, 2.0, 0.0)
        picked = shortlist(key, store.ids[pool], options.limit, later)
        short = pool[picked]
        work["shortlisted"] = work.get("shortlisted", 0) + len(short)
        parts = self._components(ranking, short, vector)
        decoded = store.vectors_of(short)
        for name, q in asked.items():
            parts[name] = np.clip(decoded @ q, 0.0, 1.0)
        total = sum(self.weights[name] * values for name, values in parts.items())
        total = total + np.where(eligible[picked], 2.0, 0.0)
        scored = self._with_skills(ranking, short, total)
        if asked and options.exact_vectors is not None:
            scored = self._exactly(ranking, short, parts, scored, asked, work)
        results = scored[: options.limit]
        work["explained"] = work.get("explained", 0) + (len(results) if options.explain else 0)
        return [
            self._match(
                ranking, rank, int(short[s.position]), _rounded(parts, s), s.skill_hits, masks
            )
            for rank, s in enumerate(results, start=1)
        ]

    def _exactly(
        self,
        ranking: Ranking,
        short: np.ndarray,
        parts: dict[str, np.ndarray],
        scored: list[Scored],
        asked: Mapping[str, np.ndarray],
        work: dict[str, int],
    ) -> list[Scored]:
        """The shortlist's rows that the codes' rounding could move into or out of the
        results, re-scored with their float32 vectors as stored; best first again."""
        options, store = ranking.options, ranking.store
        weighted = np.sum([self.weights[n] * np.abs(q) for n, q in asked.items()], axis=0)
        bound = store.rounding_bound(weighted)
        cut = scored[options.limit - 1].key if len(scored) >= options.limit else -np.inf
        near = [i for i, s in enumerate(scored) if s.key + bound >= cut]
        positions = np.asarray([scored[i].position for i in near], dtype=np.int64)
        work["exact"] = work.get("exact", 0) + len(positions)
        exact = exact_vectors(store, short[positions], options.exact_vectors)
        for i, position, vector in zip(near, positions, exact, strict=True):
            change = 0.0
            for name, q in asked.items():
                value = float(np.clip(vector @ q, 0.0, 1.0))
                change += self.weights[name] * (value - float(parts[name][position]))
                parts[name][position] = value
            scored[i] = scored[i]._replace(key=scored[i].key + change)
        ids = store.ids
        scored.sort(key=lambda item: (-item.key, int(ids[short[item.position]])))
        return scored

    def _pool(self, ranking: Ranking) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
        """The stored rows that may appear (None: every row) and each gate's mask over the
        store (True throughout when only eligible rows are asked for: the pool passes all).

        Eligible only: the rows of the query's sector passing the stored side's own gates
        (kept until the store changes), then the query's gates over those rows alone."""
        store, options = ranking.store, ranking.options
        if options.include_ineligible:
            masks = {
                gate: np.broadcast_to(mask, (len(store),))
                for gate, mask in gate_masks(ranking.c, ranking.v, ranking.today).items()
            }
            if not options.always_gates:
                return None, masks
            kept = np.logical_and.reduce([masks[g] for g in options.always_gates])
            return np.flatnonzero(kept), masks
        sector = int(ranking.query["sector"])
        rows: np.ndarray = store.cached(
            ("pool", ranking.stored_are_candidates, sector),
            lambda: np.flatnonzero(self._standing(ranking) & (store.column("sector") == sector)),
        )
        c, v = Taken(ranking.c, rows), Taken(ranking.v, rows)
        passed = [
            np.broadcast_to(GATES_BY_NAME[gate].mask(c, v, ranking.today), rows.shape)
            for gate in GATE_NAMES
            if gate not in STANDING[ranking.stored_are_candidates]
        ]
        if passed:
            rows = rows[np.logical_and.reduce(passed)]
        return rows, {gate: np.broadcast_to(np.True_, (len(store),)) for gate in GATE_NAMES}

    def _standing(self, ranking: Ranking) -> np.ndarray:
        """The stored rows passing the gates that read the stored side alone."""
        gates = STANDING[ranking.stored_are_candidates]
        size = (len(ranking.store),)
        standing: np.ndarray = np.logical_and.reduce(
            [
                np.broadcast_to(GATES_BY_NAME[g].mask(ranking.c, ranking.v, ranking.today), size)
                for g in gates
            ]
        )
        return standing

    def _partial(self, ranking: Ranking, pool: np.ndarray) -> np.ndarray:
        """The weighted sum over the pool of every component but the profile vectors',
        skills and words: each worked out per distinct value and looked up per row."""
        parts = self._components(ranking, pool, None, weighted_only=True)
        key = np.zeros(len(pool), dtype=np.float64)
        for name, values in parts.items():
            key += self.weights[name] * values
        return key

    def _profile_queries(
        self, ranking: Ranking, vector: np.ndarray | None
    ) -> dict[str, np.ndarray]:
        """The query vectors compared with the stored profiles, by component: the query's
        profile (semantic), its expansion, and on the candidates' side the vacancy's title."""
        asked = {"semantic": vector, "expanded": ranking.query.get("expansion")}
        if ranking.stored_are_candidates:
            asked["title_profile"] = ranking.query.get("title_vector")
        return {name: q for name, q in asked.items() if q is not None}

    def _title_similarities(
        self, ranking: Ranking, rows: np.ndarray, vector: np.ndarray | None
    ) -> dict[str, np.ndarray]:
        """The similarities that go through the small matrix of distinct titles, clipped at
        0 (zeros where a vector is missing): title to title, and on the vacancies' side
        their title to the candidate's profile."""
        title_vector = ranking.query.get("title_vector")
        out: dict[str, np.ndarray] = {}
        pairs = {"title": title_vector}
        if not ranking.stored_are_candidates:
            pairs["title_profile"] = vector
        wanted = {name: q for name, q in pairs.items() if q is not None}
        if len(self.titles) and wanted:
            stored_titles = ranking.store.column("title")[rows]
            sims = self.titles.similarity(np.stack(list(wanted.values()), axis=1))
            for column, name in enumerate(wanted):
                found = np.where(stored_titles >= 0, sims[stored_titles, column], 0.0)
                out[name] = np.clip(found, 0.0, 1.0)
        return out

    def _components(
        self,
        ranking: Ranking,
        rows: np.ndarray,
        vector: np.ndarray | None,
        *,
        weighted_only: bool = False,
    ) -> dict[str, np.ndarray]:
        """Every component but skills and lexical for some stored rows, each an array over
        them; those against the stored profiles start at zero (see `_rank`). weighted_only:
        only the components with a weight, and not those against the stored profiles."""
        c, v = Taken(ranking.c, rows), Taken(ranking.v, rows)
        stored = c if ranking.stored_are_candidates else v
        parts = base_components(c, v, np.zeros(len(rows), dtype=np.float32), self.partners)
        soft = soft_occupation(
            ranking.query.get("occ_scores"),
            self.occupation_groups,
            stored["occ"],
            stored["isco"],
            [(stored[f"alt{k}"], stored[f"alt{k}_fit"]) for k in (1, 2)],
        )
        if soft is not None:
            parts["occupation"] = soft
        titles = self._title_similarities(ranking, rows, vector)
        out = {name: np.broadcast_to(values, rows.shape) for name, values in parts.items()}
        for name in ("semantic", "title", "title_profile", "expanded"):
            out[name] = np.array(titles[name]) if name in titles else np.zeros(len(rows))
        if weighted_only:  # the profile vectors' components come from the pooled product
            skip = {"semantic", "expanded"}
            if ranking.stored_are_candidates:
                skip.add("title_profile")
            out = {n: a for n, a in out.items() if self.weights[n] and n not in skip}
        return out

    def _with_skills(
        self, ranking: Ranking, short: np.ndarray, order_key: np.ndarray
    ) -> list[Scored]:
        """The shortlist with skills and lexical added, best first; ties go to the lower
        record id."""
        store = ranking.store
        terms = store.objects["terms"]
        lexical = bm25(
            ranking.query.get("terms", ()), [terms[int(row)] for row in short], store.frequencies
        )
        scored = []
        for i, (row, words) in enumerate(zip(short, lexical, strict=True)):
            overlap, hits = skill_overlap(*ranking.skills(int(row)))
            key = float(
                order_key[i] + self.weights["skills"] * overlap + self.weights["lexical"] * words
            )
            scored.append(Scored(key, i, overlap, hits, float(words)))
        ids = ranking.store.ids
        scored.sort(key=lambda item: (-item.key, int(ids[short[item.position]])))
        return scored

    def _match(
        self,
        ranking: Ranking,
        rank: int,
        row: int,
        components: dict[str, float],
        skill_hits: list[int],
        masks: Mapping[str, np.ndarray],
    ) -> Match:
        failed = [gate for gate, mask in masks.items() if not mask[row]]
        score = sum(self.weights[name] * components[name] for name in COMPONENTS)
        return Match(
            record_id=int(ranking.store.ids[row]),
            rank=rank,
            score=round(min(1.0, score), 4),
            eligible=not failed,
            components=components,
            reasons=self._reasons(ranking, row, components, skill_hits, failed)
            if ranking.options.explain
            else [],
            failed_gates=failed,
            pending=not bool(ranking.store.embedded[row]),
        )

    def _reasons(
        self,
        ranking: Ranking,
        row: int,
        components: Mapping[str, float],
        skill_hits: list[int],
        failed: Sequence[str],
    ) -> list[Reason]:
        c, v = ranking.pair(row)
        return gate_reasons(c, v, failed, ranking.today) + component_reasons(
            c,
            v,
            components,
            self.occupation_labels,
            self.isco_labels,
            ranking.stored_are_candidates,
            skill_hits,
        )


def _rounded(parts: Mapping[str, np.ndarray], scored: Scored) -> dict[str, float]:
    """One result's components as reported (4 places), skills included."""
    components = {name: round(float(values[scored.position]), 4) for name, values in parts.items()}
    components["skills"] = round(scored.overlap, 4)
    components["lexical"] = round(scored.lexical, 4)
    return components
