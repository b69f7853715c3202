"""Rank the evaluation's cases with the engine (built exactly as the server builds its index)
and with two baselines, and measure each with bootstrap confidence intervals.

Four checks (`CHECKS`):
- **dev split**: candidates by title and skills; the normaliser knows every ESCO label;
- **leave-labels-out**: candidates also described by their occupation's description, and
  every label used to build a candidate, its title and its occupation's preferred label
  (the label the development set names), hidden from the normaliser: neither the
  candidate's title nor a vacancy titled by the label can be looked up, and the
  occupation is known only by its other labels and its description: the engine must
  generalise.
- **unlisted occupations**: the leave-labels-out check for the vacancies of a fixed fifth of
  the occupations (`UNLISTED`), whose every label and known title is hidden too: the
  title's occupation is known by its description alone, as for a title no taxonomy lists,
  and leaning on the normaliser ranks the wrong people.
- **another taxonomy**: candidates of ISCO-08's unit groups instead of ESCO's occupations
  (coarser, as another country's taxonomy would be), each titled by one of the group's
  example occupations and described by its task statements, and the normaliser knowing
  every label: how the engine does when the two sides are not described in ESCO's terms.
In each, the normaliser knows the real vacancy titles of `models/known_titles.json`, which
hold no held-back title (nor one written like it).
Baselines: plain embedding cosine (the base all-MiniLM-L6-v2, whatever model the engine
runs) of the candidate's title and summary (or skills) against the vacancy's title, and
BM25 of the vacancy's title over the candidate's words. All three
rank only the vacancy's sector's candidates.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from talentbridge import reference
from talentbridge.config import BASE_MODEL
from talentbridge.evaluation.cases import Case, candidates, group_candidates, vacancy
from talentbridge.matching.derived import normalise_occupations
from talentbridge.matching.embedder import Embedder
from talentbridge.matching.index import MatchIndex
from talentbridge.matching.japanese import raw_words
from talentbridge.matching.lexical import DocumentFrequencies, bm25, record_terms, terms
from talentbridge.matching.occupations import OccupationNormaliser
from talentbridge.matching.text import profile_text, title_of
from talentbridge.matching.titles import embed_titles
from talentbridge.matching.toolkit import Toolkit

DEPTH = 100  # MRR counts a right answer within the top 100
TODAY = date(2026, 1, 1)
METHODS = ("engine", "embedding cosine", "BM25")
UNLISTED = 5  # every fifth occupation (by position in the shipped ESCO file) is unlisted


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """MRR, Recall@10 and nDCG@10 from the 1-based rank of the right answer (None: not found)."""
    rr, hit, gain = _per_query(ranks)
    return {"MRR": float(rr.mean()), "Recall@10": float(hit.mean()), "nDCG@10": float(gain.mean())}


def _per_query(ranks: Sequence[int | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = np.asarray([x if x is not None else 0 for x in ranks], dtype=np.float64)
    found = r > 0
    rr = np.where(found, 1 / np.maximum(r, 1), 0.0)
    hit = (found & (r <= 10)).astype(np.float64)
    gain = np.where(hit > 0, 1 / np.log2(np.maximum(r, 1) + 1), 0.0)
    return rr, hit, gain


def bootstrap(
    ranks: Sequence[int | None], resamples: int = 1000, seed: int = 0
) -> dict[str, tuple[float, float, float]]:
    """Each metric with its 95 % bootstrap interval over the queries: (value, low, high)."""
    per = dict(zip(("MRR", "Recall@10", "nDCG@10"), _per_query(ranks), strict=True))
    rng = np.random.default_rng(seed)
    n = len(ranks)
    picks = rng.integers(0, n, size=(resamples, n)) if n else np.zeros((0, 0), dtype=int)
    out = {}
    for name, values in per.items():
        means = values[picks].mean(axis=1) if n else np.zeros(1)
        low, high = np.percentile(means, [2.5, 97.5])
        out[name] = (float(values.mean()) if n else 0.0, float(low), float(high))
    return out


@dataclass
class Ranked:
    """The rank of the right candidate for each case, per method; sectors beside them."""

    cases: list[Case] = field(default_factory=list)
    ranks: dict[str, list[int | None]] = field(default_factory=lambda: {m: [] for m in METHODS})


def _rank_of(order: Sequence[int], right: int) -> int | None:
    for position, record_id in enumerate(order[:DEPTH], start=1):
        if record_id == right:
            return position
    return None


class Evaluation:
    """Vectors embedded once; an index per normaliser (per fold), ranked like the server."""

    def __init__(
        self,
        tools: Toolkit,
        weights: Mapping[str, float],
        *,
        described: bool,
        people: list[SimpleNamespace] | None = None,
        answer: Callable[[Case], str] = lambda case: case.uri,
    ):
        self.tools = tools
        self.weights = weights
        self.people = people if people is not None else candidates(described=described)
        self.answer = answer  # a case's right candidate's `uri`
        embedder = tools.embedder
        for person, vector in zip(
            self.people, embedder.encode([profile_text(p) for p in self.people]), strict=True
        ):
            person.embedding = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
            person.embedding_model = embedder.model_name
        self.baseline = _baseline(embedder)
        plain = [
            f"{p.job_title}. {p.summary}" if p.summary else profile_text(p) for p in self.people
        ]
        self.plain = self.baseline.encode(plain)
        self.words = [record_terms(p.job_title, p.skills, p.summary) for p in self.people]
        self.frequencies = DocumentFrequencies()
        for words in self.words:
            self.frequencies.add(words)
        self.sectors = np.asarray([p.sector for p in self.people])
        self.right = {p.uri: p.id for p in self.people}
        self.titles = embed_titles([p.job_title for p in self.people], embedder)

    def index(self, normaliser: OccupationNormaliser) -> MatchIndex:
        people = [SimpleNamespace(**vars(p)) for p in self.people]
        normalise_occupations(people, normaliser)
        index = MatchIndex(
            normaliser=normaliser,
            model_name=self.tools.embedder.model_name,
            dimension=self.tools.embedder.dimension,
            weights=self.weights,
        )
        index.add_titles(self.titles)
        index.put_many("candidate", people)
        return index

    def rank(
        self,
        cases: Sequence[Case],
        normaliser: OccupationNormaliser,
        into: Ranked,
        *,
        inspect: Callable[[Case, Any], None] | None = None,
        raw_baselines: bool = False,
    ) -> None:
        """Rank every case with the three methods; `inspect` sees each engine ranking.
        raw_baselines: the baselines read the title as written (no Japanese reading)."""
        if not cases:
            return
        embedder = self.tools.embedder
        index = self.index(normaliser)
        jobs = [vacancy(case, i) for i, case in enumerate(cases, start=1)]
        vectors = embedder.encode([profile_text(j) for j in jobs])
        plain = self.baseline.encode(
            [case.title for case in cases] if raw_baselines else [profile_text(j) for j in jobs]
        )
        for job, vector in zip(jobs, vectors, strict=True):
            job.embedding = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
            job.embedding_model = embedder.model_name
        normalise_occupations(jobs, normaliser)
        index.add_titles(embed_titles([title_of(j) for j in jobs], embedder))
        for case, job, asked in zip(cases, jobs, plain, strict=True):
            features, query = index.query("vacancy", job)
            limit = DEPTH if inspect is None else len(self.people)
            found = index.rank_candidates(features, query, limit=limit, explain=False, today=TODAY)
            if inspect is not None:
                inspect(case, found)
            right = self.right[self.answer(case)]
            into.cases.append(case)
            into.ranks["engine"].append(_rank_of([m.record_id for m in found], right))
            other = self.sectors != case.sector
            cosine = np.where(other, -np.inf, self.plain @ asked)
            into.ranks["embedding cosine"].append(_rank_of(self._ids(cosine), right))
            asked_words = raw_words(case.title) if raw_baselines else terms(case.title)
            words = bm25(asked_words, self.words, self.frequencies)
            into.ranks["BM25"].append(_rank_of(self._ids(np.where(other, -np.inf, words)), right))

    def _ids(self, scores: np.ndarray) -> list[int]:
        return [self.people[i].id for i in np.argsort(-scores, kind="stable")[:DEPTH]]


def _baseline(embedder: Embedder) -> Embedder:
    """The plain model the cosine baseline runs: the base model, on the same backend."""
    if embedder.source == BASE_MODEL:
        return embedder
    return _base_model(embedder.backend, embedder.cache_dir)


@cache
def _base_model(backend: str, cache_dir: Path) -> Embedder:
    """Loaded once per process, not once per check (`model fit` runs the checks twice)."""
    return Embedder(BASE_MODEL, backend=backend, cache_dir=cache_dir)


def dev_split(tools: Toolkit, weights: Mapping[str, float], cases: Sequence[Case]) -> Ranked:
    evaluation = Evaluation(tools, weights, described=False)
    out = Ranked()
    evaluation.rank(cases, unseen(tools, cases), out)
    return out


def unseen(tools: Toolkit, cases: Sequence[Case]) -> OccupationNormaliser:
    """The normaliser, not knowing the measured titles as known titles: none of the
    held-back ones is (`talentbridge model titles`), but `eval --all` measures the fitting
    titles too."""
    return tools.normaliser.excluding(known_titles=[case.title for case in cases])


def hidden_labels(evaluation: Evaluation) -> list[str]:
    """The labels the leave-labels-out check hides: each candidate's title and the
    preferred label of its occupation."""
    by_uri = {o.uri: o.label for o in reference.esco_occupations()}
    return [label for p in evaluation.people for label in (p.job_title, by_uri[p.uri])]


def leave_labels_out(tools: Toolkit, weights: Mapping[str, float], cases: Sequence[Case]) -> Ranked:
    evaluation = Evaluation(tools, weights, described=True)
    out = Ranked()
    evaluation.rank(cases, unseen(tools, cases).excluding(hidden_labels(evaluation)), out)
    return out


def unlisted(tools: Toolkit) -> tuple[set[str], OccupationNormaliser]:
    """The unlisted occupations (URIs), and the normaliser knowing none of their labels
    and known titles (besides what it knows)."""
    hidden = {o.uri for o in reference.esco_occupations()[::UNLISTED]}
    labels = [
        label
        for o in reference.esco_occupations()
        if o.uri in hidden
        for label in (o.label, *o.alt_labels)
    ]
    known = [title for title, uri in tools.normaliser.known_titles if uri in hidden]
    return hidden, tools.normaliser.excluding(labels, known_titles=known)


def unlisted_occupations(
    tools: Toolkit, weights: Mapping[str, float], cases: Sequence[Case]
) -> Ranked:
    hidden, normaliser = unlisted(tools)
    asked = [case for case in cases if case.uri in hidden]
    evaluation = Evaluation(tools, weights, described=True)
    out = Ranked()
    mask = normaliser.excluding(hidden_labels(evaluation), known_titles=[c.title for c in asked])
    evaluation.rank(asked, mask, out)
    return out


def other_taxonomy(tools: Toolkit, weights: Mapping[str, float], cases: Sequence[Case]) -> Ranked:
    """Candidates of another, coarser taxonomy: one per ISCO-08 unit group of a sector,
    titled by one of its example occupations and described by its task statements; the
    right one is the group of the title's labelled occupation. The normaliser knows what it
    knows in production. Nothing measured without the ISCO file."""
    people = group_candidates()
    out = Ranked()
    if people:
        group = {o.uri: o.isco_group for o in reference.esco_occupations()}
        evaluation = Evaluation(
            tools,
            weights,
            described=True,
            people=people,
            answer=lambda case: f"{case.sector}|{group[case.uri]}",
        )
        asked = [case for case in cases if evaluation.answer(case) in evaluation.right]
        evaluation.rank(asked, unseen(tools, asked), out)
    return out


def other_taxonomy_unknown_titles(
    tools: Toolkit, weights: Mapping[str, float], cases: Sequence[Case]
) -> Ranked:
    """`other_taxonomy` with the candidates' titles unknown to the normaliser as labels and
    known titles, as another country's titles are: ISCO's example occupations are mostly
    ESCO labels, so in `other_taxonomy` both sides are looked up in ESCO and meet in the
    right unit group by lookup, which a real other taxonomy's titles cannot."""
    people = group_candidates()
    out = Ranked()
    if people:
        group = {o.uri: o.isco_group for o in reference.esco_occupations()}
        evaluation = Evaluation(
            tools,
            weights,
            described=True,
            people=people,
            answer=lambda case: f"{case.sector}|{group[case.uri]}",
        )
        asked = [case for case in cases if evaluation.answer(case) in evaluation.right]
        titles = [p.job_title for p in people]
        normaliser = unseen(tools, asked).excluding(titles, known_titles=titles)
        evaluation.rank(asked, normaliser, out)
    return out


CHECKS = {
    "dev split": dev_split,
    "leave-labels-out": leave_labels_out,
    "unlisted occupations": unlisted_occupations,
    "another taxonomy (ISCO-08 unit groups)": other_taxonomy,
    "another taxonomy, its titles not in ESCO": other_taxonomy_unknown_titles,
}
