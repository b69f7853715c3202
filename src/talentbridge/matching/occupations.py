"""Job titles to ESCO occupations and ISCO-08 groups.

Exact label lookup first; otherwise a blend of character n-gram TF-IDF (spelling
variants, abbreviations) and sentence-embedding similarity (synonyms) against every
preferred and alternative ESCO label of the four sectors, and against real vacancy titles
known to belong to an occupation (`known_titles`: what employers write, not what a
taxonomy lists). Given the record's sector, only that sector's occupations are
candidates: "dairy farm worker" in agriculture cannot become a dairy products
manufacturing worker.
"""

import copy
import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from talentbridge import reference
from talentbridge.matching.embedder import Embedder, cached_vectors
from talentbridge.matching.japanese import english
from talentbridge.matching.ngrams import CharNgramTfidf
from talentbridge.reference.glossary import also_in_sectors

_SPACE = re.compile(r"[^\w]+")


def title_key(text: str) -> str:
    """A title as it is looked up: its English reading (`japanese`), casefolded, words only."""
    return _SPACE.sub(" ", english(text).casefold()).strip()


@dataclass(frozen=True)
class OccupationMatch:
    index: int
    uri: str
    label: str
    isco_group: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()  # the next best (uri, score)


# The blend of `OccupationNormaliser.scores`, chosen on the development split's fitting
# titles (never the held-back ones): blend of the best label scores, plus the description.
LEXICAL, SEMANTIC, DESCRIPTION = 0.4, 0.6, 0.3
BATCH = 256  # titles scored in one set of products
ALTERNATIVES = 2  # next best occupations kept with a record's best
SCORE_CACHE = 4096  # titles whose occupation scores are kept (about 3 KB each)
KNOWN_TITLES_FILE = Path(__file__).resolve().parents[3] / "models" / "known_titles.json"


def read_known_titles(path: Path) -> tuple[tuple[str, str], ...]:
    """The (title, occupation URI) pairs of a known-titles file (`talentbridge model
    titles`); none if it is absent or unreadable."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["titles"]
        return tuple((str(title), str(uri)) for title, uri in rows)
    except (OSError, ValueError, KeyError, TypeError):
        return ()


class OccupationNormaliser:
    """Maps free-text job titles to ESCO occupations; fit once, then `normalise` many."""

    def __init__(
        self,
        embedder: Embedder | None,
        *,
        cache_dir: Path | None = None,
        min_confidence: float = 0.45,
        known_titles: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.embedder = embedder
        self.known_titles = tuple(known_titles)  # (title, occupation URI)
        self.cache_dir = cache_dir
        self.min_confidence = min_confidence
        self.occupations = reference.esco_occupations()
        self.excluded: frozenset[str] = frozenset()  # keys of labels it must not know
        self.unknown: frozenset[str] = frozenset()  # keys of known titles it must not know
        self._fitted = False
        self._score_cache: dict[tuple[str | None, bytes | None], np.ndarray] = {}
        self._label_cache: dict[tuple[str | None, str, bool], np.ndarray] = {}
        self._cache_lock = threading.Lock()

    def fit(self) -> "OccupationNormaliser":
        labels: list[str] = []
        owners: list[int] = []
        for index, occupation in enumerate(self.occupations):
            for label in (occupation.label, *occupation.alt_labels):
                labels.append(label)
                owners.append(index)
        self._esco_labels = len(labels)  # the known titles follow: compared, never exact
        by_uri = {occupation.uri: i for i, occupation in enumerate(self.occupations)}
        for title, uri in self.known_titles:
            if uri in by_uri and title.strip():
                labels.append(title)
                owners.append(by_uri[uri])
        self._labels = labels
        self._owners = np.asarray(owners)

        self._tfidf = CharNgramTfidf()
        self._label_tfidf = self._tfidf.fit_cached(
            [title_key(label) for label in labels], self.cache_dir, "occupation-labels"
        )
        self._label_tfidf_t = self._label_tfidf.T.tocsr()  # transposed once, not per query
        self._analyse = self._tfidf.build_analyzer()
        self._know_labels(labels)  # orders shared labels' owners with the vectorizer
        # Labels grouped by occupation, so a per-occupation maximum is one reduceat.
        self._by_owner = np.argsort(self._owners, kind="stable")
        self._owner_starts = np.flatnonzero(np.r_[True, np.diff(self._owners[self._by_owner]) != 0])
        self._label_vectors: np.ndarray | None = None
        self._description_vectors: np.ndarray | None = None
        if self.embedder is not None:
            cache = self.cache_dir
            esco, known = labels[: self._esco_labels], labels[self._esco_labels :]
            self._label_vectors = np.vstack(
                [
                    cached_vectors(self.embedder, esco, cache, "esco-labels"),
                    cached_vectors(self.embedder, known, cache, "known-titles")
                    if known
                    else np.zeros((0, self.embedder.dimension), dtype=np.float32),
                ]
            )
            descriptions = [o.description or o.label for o in self.occupations]
            self._description_vectors = cached_vectors(
                self.embedder, descriptions, cache, "esco-labels"
            )
        self._fitted = True
        return self

    @property
    def descriptions(self) -> np.ndarray | None:
        """Each occupation's description vector (None without a model)."""
        if not self._fitted:
            self.fit()
        return self._description_vectors

    def _know_labels(self, labels: list[str]) -> None:
        """The exact-label dictionary and, per sector, which labels may match (all but the
        excluded labels)."""
        self._exact: dict[str, list[int]] = {}
        keys = [title_key(label) for label in labels]
        esco = zip(keys[: self._esco_labels], self._owners.tolist(), strict=False)
        for key, owner in esco:
            if key not in self.excluded:
                self._exact.setdefault(key, []).append(owner)
        for key, owners in self._exact.items():
            self._exact[key] = self._likeliest_first(key, list(dict.fromkeys(owners)))
        hidden = np.asarray(
            [
                key in self.excluded or (i >= self._esco_labels and key in self.unknown)
                for i, key in enumerate(keys)
            ]
        )
        occupation_sectors = np.asarray([o.sector for o in self.occupations])
        self._in_sector: dict[str | None, np.ndarray] = {
            None: np.ones(len(self.occupations), dtype=bool),
            **{sector: occupation_sectors == sector for sector in set(occupation_sectors)},
        }
        for uri, sectors in also_in_sectors().items():  # steel fixers work on building sites
            for sector in sectors & self._in_sector.keys():
                if (index := self.index_of(uri)) >= 0:
                    self._in_sector[sector][index] = True
        self._label_allowed: dict[str | None, np.ndarray] = {None: ~hidden}
        for sector in set(occupation_sectors.tolist()):
            self._label_allowed[sector] = self._in_sector[sector][self._owners] & ~hidden

    def _allowed(self, sector: str | None) -> np.ndarray:
        return self._label_allowed.get(sector, self._label_allowed[None])

    def index_of(self, uri: str | None) -> int:
        """Position of an occupation in `occupations`, or -1."""
        if not hasattr(self, "_by_uri"):
            self._by_uri = {occupation.uri: i for i, occupation in enumerate(self.occupations)}
        return self._by_uri.get(uri, -1) if uri else -1

    def excluding(
        self, labels: Iterable[str] = (), *, known_titles: Iterable[str] = ()
    ) -> "OccupationNormaliser":
        """A copy that does not know these labels (ESCO labels and known titles written so)
        nor these known titles (ESCO labels written so stay), neither to look up nor to
        compare with, besides what this one does not know: the honest evaluation's checks.
        Their occupations stay known by their other labels and their descriptions."""
        if not self._fitted:
            self.fit()
        other = copy.copy(self)  # shares the fitted label matrices; only the masks differ
        other.excluded = self.excluded | {title_key(label) for label in labels}
        other.unknown = self.unknown | {title_key(title) for title in known_titles}
        other._score_cache = {}
        other._label_cache = {}
        other._cache_lock = threading.Lock()
        other._know_labels(self._labels)
        return other

    def _likeliest_first(self, key: str, owners: list[int]) -> list[int]:
        """The occupations sharing a label, the likeliest first. ESCO gives some labels to
        several occupations ("quality inspector": product grader and product quality
        inspector): the one whose preferred label it is, or else whose preferred label is
        written most like it, comes first. Worked out once per label, when the labels are
        learnt."""
        if len(owners) < 2:
            return owners
        preferred = [title_key(self.occupations[index].label) for index in owners]
        likeness = (self._tfidf_rows(preferred) @ self._tfidf_rows([key]).T).toarray()[:, 0]
        likeness[[label == key for label in preferred]] = 2.0
        return [owners[i] for i in np.argsort(-likeness, kind="stable")]

    def _exact_in(self, title: str, sector: str | None) -> list[int]:
        """The occupations (in the sector) that list the title as a label, the likeliest
        first."""
        owners = self._exact.get(title_key(title), ())
        if sector is None:
            return list(owners)
        in_sector = self._in_sector.get(sector)
        return [i for i in owners if in_sector is not None and in_sector[i]]

    def normalise(
        self,
        titles: Sequence[str | None],
        sectors: Sequence[str | None] | None = None,
        profiles: np.ndarray | None = None,
        vectors: np.ndarray | None = None,
    ) -> list[OccupationMatch | None]:
        """The best occupation for each title (among its sector's, when sectors are given),
        or None when nothing is close enough. `vectors`: the titles' vectors when the caller
        has them already (else they are embedded here)."""
        if not self._fitted:
            self.fit()
        sectors = sectors if sectors is not None else [None] * len(titles)
        results: list[OccupationMatch | None] = [None] * len(titles)
        pending = []
        for position, (title, sector) in enumerate(zip(titles, sectors, strict=True)):
            if not title or not title.strip():
                continue
            exact = self._exact_in(title, sector)
            if exact:
                others = tuple((self.occupations[i].uri, 1.0) for i in exact[1 : 1 + ALTERNATIVES])
                results[position] = self._match(exact[0], 1.0, others)
            else:
                pending.append(position)
        if pending:
            asked = [titles[p] or "" for p in pending]
            if vectors is not None:
                vectors = vectors[pending]
            elif self.embedder is not None:
                vectors = self.embedder.encode([english(title) for title in asked])
            scores = self.scores(
                asked,
                vectors,
                [sectors[p] for p in pending],
                None if profiles is None else profiles[pending],
            )
            for row, position in enumerate(pending):
                order = np.argsort(-scores[row])[: 1 + ALTERNATIVES]
                best, confidence = int(order[0]), float(scores[row, order[0]])
                if confidence >= self.min_confidence:
                    others = tuple(
                        (self.occupations[int(o)].uri, round(float(scores[row, o]), 3))
                        for o in order[1:]
                        if scores[row, o] >= self.min_confidence
                    )
                    results[position] = self._match(best, confidence, others)
        return results

    def scores(
        self,
        titles: Sequence[str | None],
        vectors: np.ndarray | None,
        sectors: Sequence[str | None] | None = None,
        profiles: np.ndarray | None = None,
    ) -> np.ndarray:
        """How well each title fits each occupation, in [0, 1] (titles x occupations): over
        the occupation's labels, the best character n-gram TF-IDF cosine (LEXICAL) and the
        best embedding cosine (SEMANTIC), plus the title's embedding cosine to the
        occupation's description (DESCRIPTION), which also finds an occupation whose labels
        are unknown; 1 for an exact label; 0 outside the title's sector. The description is
        compared with the record's profile vector where given (title and summary say more
        than the title alone). A row of zeros in `vectors` (or no vectors) leaves the
        embedding terms out."""
        if not self._fitted:
            self.fit()
        sectors = sectors if sectors is not None else [None] * len(titles)
        keys = [title_key(t) if t and t.strip() else "" for t in titles]
        out = np.zeros((len(titles), len(self.occupations)), dtype=np.float32)
        for first in range(0, len(titles), BATCH):  # bounded memory for thousands of titles
            end = first + BATCH
            part = (None if vectors is None else vectors[first:end]), sectors[first:end]
            labels = self._label_part(keys[first:end], *part)
            about = None if profiles is None else profiles[first:end]
            out[first:end] = self._finish(labels, keys[first:end], *part, about)
        return out

    def _label_part(
        self, keys: Sequence[str], vectors: np.ndarray | None, sectors: Sequence[str | None]
    ) -> np.ndarray:
        """The label terms of `scores` (they depend on the title alone, so they are kept
        per title)."""
        allowed = np.stack([self._allowed(sector) for sector in sectors])
        lexical = np.where(allowed, (self._tfidf_rows(keys) @ self._label_tfidf_t).toarray(), 0)
        blended = LEXICAL * self._per_occupation(lexical)
        if vectors is not None and self._label_vectors is not None:
            semantic = np.where(allowed, np.asarray(vectors, np.float32) @ self._label_vectors.T, 0)
            blended += SEMANTIC * self._per_occupation(semantic)
        return blended

    def _tfidf_rows(self, keys: Sequence[str]) -> csr_matrix:
        """The fitted vectorizer's rows for these keys, as `transform` gives them (sublinear
        tf, idf, l2 norm), without its per-call checks: a few titles at a time is the
        common case, where those cost ten times the arithmetic."""
        analyse, vocabulary, idf = self._analyse, self._tfidf.vocabulary_, self._tfidf.idf_
        data: list[float] = []
        columns: list[int] = []
        starts = [0]
        for key in keys:
            counts: dict[int, int] = {}
            for gram in analyse(key):
                column = vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            row = np.asarray(list(counts), dtype=np.int64)
            weights = (1.0 + np.log(np.fromiter(counts.values(), float, len(counts)))) * idf[row]
            norm = float(np.sqrt(np.dot(weights, weights))) or 1.0
            columns.extend(row.tolist())
            data.extend((weights / norm).tolist())
            starts.append(len(columns))
        return csr_matrix(
            (np.asarray(data), np.asarray(columns, dtype=np.int64), np.asarray(starts)),
            shape=(len(keys), len(vocabulary)),
        )

    def _finish(
        self,
        labels: np.ndarray,
        keys: Sequence[str],
        vectors: np.ndarray | None,
        sectors: Sequence[str | None],
        profiles: np.ndarray | None,
    ) -> np.ndarray:
        """The label terms plus the description term, clipped, within the sector, exact
        labels at 1."""
        blended = labels.copy()
        if vectors is not None and self._description_vectors is not None:
            vectors = np.asarray(vectors, dtype=np.float32)
            about = vectors if profiles is None else np.asarray(profiles, dtype=np.float32)
            about = np.where(about.any(axis=1, keepdims=True), about, vectors)
            blended += DESCRIPTION * np.maximum(about @ self._description_vectors.T, 0.0)
        in_sector = np.stack(
            [self._in_sector.get(sector, self._in_sector[None]) for sector in sectors]
        )
        out: np.ndarray = np.where(in_sector, np.clip(blended, 0.0, 1.0), 0.0).astype(np.float32)
        for row, (key, sector) in enumerate(zip(keys, sectors, strict=True)):
            if not key:
                out[row] = 0.0
            else:
                out[row, self._exact_in(key, sector)] = 1.0
        return out

    def _per_occupation(self, by_label: np.ndarray) -> np.ndarray:
        """Each occupation's best label score (titles x labels -> titles x occupations)."""
        out = np.zeros((by_label.shape[0], len(self.occupations)), dtype=np.float32)
        grouped = by_label[:, self._by_owner]
        out[:, self._owners[self._by_owner][self._owner_starts]] = np.maximum.reduceat(
            grouped, self._owner_starts, axis=1
        )
        return out

    def occupation_scores(
        self,
        title: str | None,
        vector: np.ndarray | None,
        sector: str | None = None,
        profile: np.ndarray | None = None,
    ) -> np.ndarray:
        """How well a title fits each occupation (its best label), in [0, 1]; 0 outside the
        sector when one is given.

        Uses the record's stored title vector, so nothing is embedded at query time. The same
        title and vector give the same scores, so a vacancy asked about again (every time an
        employer opens its matches) is answered from a small cache.
        """
        about = None if profile is None else profile.tobytes()
        key = (f"{sector}|{title}", None if vector is None else vector.tobytes() + (about or b""))
        cached = self._score_cache.get(key)
        if cached is None:
            cached = self._occupation_scores(title, vector, sector, profile)
            cached.flags.writeable = False
            with self._cache_lock:
                if len(self._score_cache) >= SCORE_CACHE:
                    self._score_cache.pop(next(iter(self._score_cache)))
                self._score_cache[key] = cached
        return cached

    def _occupation_scores(
        self,
        title: str | None,
        vector: np.ndarray | None,
        sector: str | None,
        profile: np.ndarray | None,
    ) -> np.ndarray:
        if not self._fitted:
            self.fit()
        key = title_key(title) if title and title.strip() else ""
        vectors = None if vector is None else vector[None, :]
        # Vacancies share titles: the label terms are kept per title and sector.
        kept = (sector, key, vector is None)
        labels = self._label_cache.get(kept)
        if labels is None:
            labels = self._label_part([key], vectors, [sector])
            with self._cache_lock:
                if len(self._label_cache) >= SCORE_CACHE:
                    self._label_cache.pop(next(iter(self._label_cache)))
                self._label_cache[kept] = labels
        profiles = None if profile is None else profile[None, :]
        scores: np.ndarray = self._finish(labels, [key], vectors, [sector], profiles)[0]
        return scores

    def _match(
        self, index: int, confidence: float, alternatives: tuple[tuple[str, float], ...] = ()
    ) -> OccupationMatch:
        occupation = self.occupations[index]
        return OccupationMatch(
            index,
            occupation.uri,
            occupation.label,
            occupation.isco_group,
            round(confidence, 3),
            alternatives,
        )
